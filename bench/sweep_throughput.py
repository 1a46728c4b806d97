"""Sweep throughput: N trivial episodes with K = 2 workers against K = 1, side by side in one run.

A trivial episode replays a recorded two-step episode (a print, then %submit) of prisoners_dilemma:
a kernel container, one grading (both splits), the notebook. The two settings alternate, each run
into a fresh folder. Target: K = 2 at least 1.6x the episodes per second of K = 1.
Usage: python bench/sweep_throughput.py [--episodes 6] [--rounds 2] [--no-write]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from results_file import write_section

import mlgym_nb
from mlgym_nb.sweep import LocalExecutor, grid, run_sweep


def record_trivial(path: Path) -> None:
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=path) as env:
        env.reset(seed=0)
        env.step("print(1)")
        env.step("%submit")


def sweep_seconds(episodes: int, parallel: int, replay: Path, root: Path) -> float:
    specs = grid(["prisoners_dilemma"], ["replay"], [], list(range(episodes)), sandbox="docker",
                 options={"replay": str(replay)})
    start = time.perf_counter()
    report = run_sweep(specs, root / f"k{parallel}-{time.monotonic_ns()}", LocalExecutor(), parallel=parallel,
                       progress=False)
    took = time.perf_counter() - start
    if report.failed or len(report.done) != episodes:
        raise SystemExit(f"the sweep failed: {[o.error for o in report.failed]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    times: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        replay = root / "trivial.ipynb"
        record_trivial(replay)
        for _ in range(args.rounds):
            for parallel in (1, 2):
                times[parallel].append(sweep_seconds(args.episodes, parallel, replay, root))
    one, two = statistics.median(times[1]), statistics.median(times[2])
    speedup = one / two
    table = ("| workers | sweep of %d episodes (median of %d) | per episode | throughput vs K = 1 |\n"
             "|---|---|---|---|\n" % (args.episodes, args.rounds)
             + f"| 1 | {one:.1f} s | {one / args.episodes:.2f} s | 1.00x |\n"
             + f"| 2 | {two:.1f} s | {two / args.episodes:.2f} s | {speedup:.2f}x "
               f"(target >= 1.6x: {'met' if speedup >= 1.6 else 'MISSED'}) |")
    print(table)
    if not args.no_write:
        write_section("Sweeps", f"Written by `python bench/sweep_throughput.py` on {time.strftime('%Y-%m-%d')}: "
                      "trivial replay episodes (a print and %submit) of prisoners_dilemma in Docker, one worker "
                      "process per episode, the two settings alternating.\n\n" + table)


if __name__ == "__main__":
    main()
