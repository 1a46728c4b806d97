"""Ray executor overhead: a sweep of N trivial episodes on a local two-node Ray cluster against the local
executor, same parallelism, side by side in one run.

Trivial episodes replay a recorded two-step episode (a print, then %submit) of prisoners_dilemma. The
cluster (head 127.0.0.2, worker 127.0.0.3, one episode slot each) is started once, outside the timing.
Target: per-episode overhead of Ray <= 0.2 s.
Usage: python bench/ray_overhead.py [--episodes 6] [--rounds 2] [--no-write]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from results_file import write_section
from sweep_throughput import record_trivial

from mlgym_nb.sweep import LocalExecutor, grid, run_sweep
from mlgym_nb.sweep.ray_cluster import LocalRayCluster
from mlgym_nb.sweep.ray_executor import RayExecutor


def seconds(executor, episodes: int, replay: Path, root: Path) -> float:
    specs = grid(["prisoners_dilemma"], ["replay"], [], list(range(episodes)), sandbox="docker",
                 options={"replay": str(replay)})
    start = time.perf_counter()
    report = run_sweep(specs, root / f"{executor.name}-{time.monotonic_ns()}", executor, parallel=2, progress=False)
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
    times: dict[str, list[float]] = {"local": [], "ray": []}
    with tempfile.TemporaryDirectory() as tmp, LocalRayCluster(nodes=2):
        root = Path(tmp)
        replay = root / "trivial.ipynb"
        record_trivial(replay)
        for _ in range(args.rounds):
            times["local"].append(seconds(LocalExecutor(), args.episodes, replay, root))
            times["ray"].append(seconds(RayExecutor(), args.episodes, replay, root))
    local, ray = statistics.median(times["local"]), statistics.median(times["ray"])
    overhead = (ray - local) / args.episodes * 2  # two episodes run at once in both settings
    table = ("| executor | sweep of %d episodes, 2 at a time (median of %d) | per episode |\n|---|---|---|\n"
             % (args.episodes, args.rounds)
             + f"| local (worker processes) | {local:.1f} s | {local / args.episodes:.2f} s |\n"
             + f"| Ray (two local nodes) | {ray:.1f} s | {ray / args.episodes:.2f} s |\n"
             + f"| Ray overhead per episode | {overhead:+.2f} s | target <= 0.2 s: "
               f"{'met' if overhead <= 0.2 else 'MISSED'} |")
    print(table)
    if not args.no_write:
        write_section("Ray", f"Written by `python bench/ray_overhead.py` on {time.strftime('%Y-%m-%d')}: trivial "
                      "replay episodes of prisoners_dilemma in Docker, the local executor against the Ray executor "
                      "on a two-node cluster on this machine (one slot per node), alternating.\n\n" + table)


if __name__ == "__main__":
    main()
