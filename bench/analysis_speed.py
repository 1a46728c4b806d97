"""Analysis speed: loading 1,000 episode notebooks, then AUP (with a bootstrap CI) and performance profiles.

The notebooks are synthetic but real: written by the EpisodeRecorder, 20 steps each (cells with
outputs and agent usage, four validates, a submit), over the shipped tasks, 5 agents and 40 seeds.
Target: load + AUP + profiles <= 10 s on 2 cores. Side by side: reading the same files with
nbformat.read alone (the floor any notebook-based analysis pays).
Usage: python bench/analysis_speed.py [--episodes 1000] [--no-write]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import nbformat
from results_file import write_section

from mlgym_nb.analysis import aup_summary, load_episodes, profiles
from mlgym_nb.episode import EpisodeRecorder
from mlgym_nb.schema import Score, Step
from mlgym_nb.tasks import list_tasks, load_task


def write_episodes(root: Path, count: int) -> None:
    rng = random.Random(0)
    tasks = [load_task(t) for t in list_tasks()]
    agents = [f"agent-{i}" for i in range(5)]
    for n in range(count):
        task, agent, seed = tasks[n % len(tasks)], agents[(n // len(tasks)) % len(agents)], n
        recorder = EpisodeRecorder(root / task.id / agent / f"s{seed}.ipynb", task, seed=seed,
                                   agent={"name": "llm", "label": agent})
        base = task.baseline["test"]
        for step in range(1, 21):
            kind = "submit" if step == 20 else "validate" if step % 5 == 0 else "cell"
            if kind == "cell":
                out = nbformat.v4.new_output("stream", name="stdout", text="loss 0.1234\n" * 20)
                record = Step(step=step, kind="cell", status="ok", started="t", duration=0.5,
                              agent={"input_tokens": 2000, "output_tokens": 200, "cost": 0.001})
                recorder.record_step(record, "%%writefile strategy.py\nprint('x')", "thinking", [out], step)
            else:
                value = base * (1 + rng.uniform(-0.2, 0.4))
                scores = {"dev": Score(split="dev", value=value), "test": Score(split="test", value=value * 0.98)}
                record = Step(step=step, kind=kind, status="scored", started="t", duration=1.0, scores=scores)
                recorder.record_step(record, f"%{kind}", None, [], None)
        recorder.meta.usage = {"input_tokens": 30000, "output_tokens": 3000, "cost": 0.015, "wall_seconds": 60.0}
        recorder.finish("submitted")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_episodes(root, args.episodes)
        start = time.perf_counter()
        for path in root.rglob("*.ipynb"):
            nbformat.read(path, as_version=4)
        floor = time.perf_counter() - start
        start = time.perf_counter()
        tables = load_episodes(root)
        loaded = time.perf_counter() - start
        aups = aup_summary(tables, which="best", n_boot=200)
        _ratios, _profile = profiles(tables)
        total = time.perf_counter() - start
    rows = [
        ("nbformat.read of every notebook (floor)", f"{floor:.2f} s", ""),
        ("load_episodes (tables through the schema)", f"{loaded:.2f} s", f"{loaded / floor:.2f}x the floor"),
        ("load + AUP (200-replicate bootstrap CI) + profiles", f"{total:.2f} s",
         f"target <= 10 s: {'met' if total <= 10 else 'MISSED'}"),
    ]
    table = ("| measurement | time | note |\n|---|---|---|\n" + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows))
    print(table)
    print(aups)
    if not args.no_write:
        write_section("Analysis", f"Written by `python bench/analysis_speed.py` on {time.strftime('%Y-%m-%d')}: "
                      f"{args.episodes} synthetic episode notebooks (20 steps each, written by the recorder), "
                      f"{len(tables.scores)} graded snapshots.\n\n" + table)


if __name__ == "__main__":
    main()
