"""Step overhead and a 10-step workload: NotebookEnv vs raw jupyter_client vs `docker exec` per action.

All three run side by side, interleaved, against the same container in one process, so shared-machine
noise hits them alike; results are reported as ratios. Writes bench/results.md (the table) unless
--no-write. Usage: python bench/step_overhead.py [--trials 40] [--resets 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from results_file import write_section

import mlgym_nb

WORKLOAD = [
    "import numpy as np, pandas as pd\nrng = np.random.default_rng(0)\n"
    "X = rng.normal(size=(20000, 20)); y = X @ rng.normal(size=20) + rng.normal(size=20000)\n"
    "pd.DataFrame(X).assign(y=y).to_csv('data.csv', index=False)",
    "import pandas as pd\ndf = pd.read_csv('data.csv')",
    "print(df.shape, df['y'].mean())",
    "print(df.describe().iloc[:, :3])",
    "from sklearn.linear_model import Ridge\nm = Ridge(alpha=1.0).fit(df.drop(columns='y'), df['y'])",
    "print(m.score(df.drop(columns='y'), df['y']))",
    "from sklearn.ensemble import RandomForestRegressor\n"
    "rf = RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0)\n"
    "rf.fit(df.drop(columns='y')[:5000], df['y'][:5000])",
    "print(rf.score(df.drop(columns='y')[5000:], df['y'][5000:]))",
    "m = Ridge(alpha=10.0).fit(df.drop(columns='y'), df['y'])",
    "print(m.score(df.drop(columns='y'), df['y']))",
]


def as_script(step: int) -> str:
    """Step `step` as a standalone process: it must redo the imports, reload and refit what it uses."""
    needs = {0: [0], 1: [1], 2: [1, 2], 3: [1, 3], 4: [1, 4], 5: [1, 4, 5], 6: [1, 6], 7: [1, 6, 7],
             8: [1, 8], 9: [1, 8, 9]}[step]
    prelude = "from sklearn.linear_model import Ridge\n"
    return prelude + "\n".join(WORKLOAD[i] for i in needs)


NOTES = """Reading the table:
- The floor is jupyter_client's own `execute_interactive` on the env's client and event loop; env.step
  adds the output capture, per-cell CPU and memory from the cgroup, and the validated, atomic notebook
  save (each cell is serialised once, so a step costs the same late in an episode as early).
- `docker exec python -c` costs a process start in the container (about 80 ms here); being 15x faster
  would need a step under ~5.5 ms, below the jupyter_client floor on this machine.
- The workload's ratio depends on how much of it is compute, which both styles pay alike (a random
  forest fit, a CSV read); the per-process style pays the imports and reloads on every step.
"""


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--resets", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=Path(tmp) / "b.ipynb", max_steps=10_000,
                            episode_time=1e6)
        resets = [timed(lambda: env.reset(seed=0)) for _ in range(args.resets)]
        kc = env.session.kc
        run_raw = env.session._sync  # the same client and event loop the env uses
        container = env.session.sandbox.container.id
        env.step("1+1")  # warm up
        step, raw, exe = [], [], []
        actions = [
            (step, lambda: env.step("1+1")),
            (raw, lambda: run_raw(kc.execute_interactive("1+1", output_hook=lambda m: None, timeout=30))),
            (exe, lambda: subprocess.run(["docker", "exec", container, "python", "-c", "1+1"], check=True,
                                         capture_output=True)),
        ]
        order = random.Random(0)
        for _ in range(args.trials):
            # A shuffled order per trial: the after-effects of one action (docker exec's process
            # teardown) must not always land on the same neighbour.
            for samples, action in order.sample(actions, k=len(actions)):
                samples.append(timed(action))
        cells = [timed(lambda c=c: env.step(c)) for c in WORKLOAD]
        procs = []
        for i in range(len(WORKLOAD)):
            procs.append(timed(lambda i=i: subprocess.run(
                ["docker", "exec", "-w", "/workspace", container, "python", "-c", as_script(i)],
                check=True, capture_output=True)))
        env.close()
        warm_env = mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=Path(tmp) / "w.ipynb", warm=1)
        warm_env.reset(seed=0)
        warm = []
        for _ in range(args.resets):
            time.sleep(3)  # let the pool start the next kernel
            warm.append(timed(lambda: warm_env.reset(seed=0)))
        warm_env.close()

    med = statistics.median
    step_ratio, exec_ratio = med(step) / med(raw), med(exe) / med(step)
    work_ratio = sum(procs) / sum(cells)
    verdict = lambda ok: "met" if ok else "missed"  # noqa: E731
    rows = [
        ("trivial cell via env.step (record + atomic save)", f"{med(step) * 1e3:.1f} ms", f"{step_ratio:.2f}x floor",
         f"<= 1.5x floor: {verdict(step_ratio <= 1.5)}"),
        ("trivial cell via raw jupyter_client (floor)", f"{med(raw) * 1e3:.1f} ms", "1.00x floor", ""),
        ("`docker exec python -c` per action", f"{med(exe) * 1e3:.1f} ms", f"{exec_ratio:.1f}x slower than env.step",
         f">= 15x: {verdict(exec_ratio >= 15)}"),
        ("10-step workload as cells in one kernel", f"{sum(cells):.2f} s", "1.00x", ""),
        ("10-step workload as a fresh process per step", f"{sum(procs):.2f} s", f"{work_ratio:.1f}x more wall time",
         f">= 10x: {verdict(work_ratio >= 10)}"),
        ("reset() to ready, cold (new container + kernel)", f"{med(resets):.2f} s", f"median of {len(resets)}",
         f"<= 1.0 s: {verdict(med(resets) <= 1.0)}"),
        ("reset() to ready from a warm pool (`warm=1`)", f"{med(warm) * 1e3:.0f} ms",
         f"{med(resets) / med(warm):.0f}x faster than cold", f"<= 0.1 s: {verdict(med(warm) <= 0.1)}"),
    ]
    table = "| measurement | median | ratio | target |\n|---|---|---|---|\n" + "\n".join(
        f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)
    print(table)
    if not args.no_write:
        write_section("Kernel steps and resets", f"Written by `python bench/step_overhead.py` ({args.trials} "
                      f"interleaved trials; Docker sandbox, prisoners_dilemma image) on {time.strftime('%Y-%m-%d')}, "
                      "2-core machine. Ratios are taken within one run.\n\n" + table + "\n\n" + NOTES)


if __name__ == "__main__":
    main()
