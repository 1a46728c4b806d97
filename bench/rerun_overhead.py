"""Rerun overhead: `mlgym-nb rerun` wall time against the sum of the recorded cell durations.

An episode of cells that each work for a while (sleep plus some numpy) is recorded, then rerun with
the mlgym papermill engine; the rerun pays a kernel start, papermill's bookkeeping and saves, the
grading of its %validate cell and the comparison. Target: rerun <= 1.1 x recorded + 2 s.
Usage: python bench/rerun_overhead.py [--cells 10] [--no-write]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nbformat
from results_file import write_section

import mlgym_nb
from mlgym_nb.rerun import rerun


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=10)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    cells = [f"import time, numpy as np\ntime.sleep(0.3)\nx{i} = np.random.rand(300, 300) @ np.random.rand(300, 300)"
             for i in range(args.cells)] + ["%validate"]
    with tempfile.TemporaryDirectory() as tmp:
        episode = Path(tmp) / "ep.ipynb"
        with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=episode) as env:
            env.reset(seed=0)
            for cell in cells:
                env.step(cell)
        nb = nbformat.read(episode, as_version=4)
        recorded = sum(c.metadata.mlgym["duration"] for c in nb.cells
                       if c.cell_type == "code" and c.get("id", "").startswith("step-"))
        start = time.perf_counter()
        report = rerun(episode, Path(tmp) / "again.ipynb", sandbox="docker")
        took = time.perf_counter() - start
    budget = 1.1 * recorded + 2.0
    rows = [
        ("recorded step durations (sum)", f"{recorded:.2f} s", f"{args.cells} cells + %validate"),
        ("`rerun()` wall time", f"{took:.2f} s",
         f"{took / recorded:.2f}x recorded; target <= 1.1x + 2 s = {budget:.2f} s: "
         f"{'met' if took <= budget else 'missed'}"),
        ("overhead", f"{took - recorded:.2f} s", f"reproduced: {report['reproduced']}"),
    ]
    table = "| measurement | value | note |\n|---|---|---|\n" + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    print(table)
    if not args.no_write:
        write_section("Reruns", f"Written by `python bench/rerun_overhead.py` on {time.strftime('%Y-%m-%d')}: one "
                      "episode recorded, then rerun with the mlgym papermill engine (fresh container, grading "
                      "included).\n\n" + table)


if __name__ == "__main__":
    main()
