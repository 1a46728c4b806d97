"""Step overhead and a 10-step workload: NotebookEnv vs raw jupyter_client vs `docker exec` per action.

All three run side by side, interleaved, against the same container in one process, so shared-machine
noise hits them alike; results are reported as ratios. Writes bench/results.md (the table) unless
--no-write. Usage: python bench/step_overhead.py [--trials 40] [--resets 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

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
    "rf = RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0).fit(df.drop(columns='y')[:5000], df['y'][:5000])",
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
        container = env.session.sandbox.container.id
        env.step("1+1")  # warm up
        step, raw, exe = [], [], []
        for _ in range(args.trials):
            step.append(timed(lambda: env.step("1+1")))
            raw.append(timed(lambda: kc.execute_interactive("1+1", output_hook=lambda m: None, timeout=30)))
            exe.append(timed(lambda: subprocess.run(["docker", "exec", container, "python", "-c", "1+1"],
                                                    check=True, capture_output=True)))
        cells = [timed(lambda c=c: env.step(c)) for c in WORKLOAD]
        procs = []
        for i in range(len(WORKLOAD)):
            procs.append(timed(lambda i=i: subprocess.run(
                ["docker", "exec", "-w", "/workspace", container, "python", "-c", as_script(i)],
                check=True, capture_output=True)))
        env.close()

    med = statistics.median
    rows = [
        ("trivial cell via env.step (record + atomic save)", f"{med(step) * 1e3:.1f} ms", f"{med(step) / med(raw):.2f}x floor"),
        ("trivial cell via raw jupyter_client (floor)", f"{med(raw) * 1e3:.1f} ms", "1.00x floor"),
        ("`docker exec python -c` per action", f"{med(exe) * 1e3:.1f} ms",
         f"{med(exe) / med(step):.1f}x slower than env.step"),
        ("10-step workload as cells in one kernel", f"{sum(cells):.2f} s", "1.00x"),
        ("10-step workload as a fresh process per step", f"{sum(procs):.2f} s",
         f"{sum(procs) / sum(cells):.1f}x more wall time"),
        ("reset() to ready, cold (new container + kernel)", f"{med(resets):.2f} s", f"median of {len(resets)}"),
    ]
    table = "| measurement | median | ratio |\n|---|---|---|\n" + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    print(table)
    if not args.no_write:
        out = Path(__file__).with_name("results.md")
        out.write_text(
            "# Benchmark results\n\nWritten by `python bench/step_overhead.py` "
            f"({args.trials} interleaved trials; Docker sandbox, prisoners_dilemma image) on "
            f"{time.strftime('%Y-%m-%d')}, 2-core machine. Ratios are taken within one run.\n\n"
            "Targets (issue 2): env.step ≤ 1.5x the floor; ≥ 15x faster than docker exec; ≥ 10x less "
            "wall time on the workload; reset ≤ 1.0 s cold.\n\n" + table + "\n")


if __name__ == "__main__":
    main()
