"""Grading overhead: the isolated design (intake copy, scorer + player processes) against in-process grading.

For each task the same submission (the task's starter files; house_price's baseline predictions)
is graded on the test split, alternately by

- the current design: ``grading.grade`` (intake copy, scorer as root, submitted code in a player
  process under another uid, talking over a pipe);
- the previous design, in-process: the graders of commit BEFORE (extracted with ``git archive``),
  which import the submitted code into the scorer, run in the same hardened container on the same
  copy of the submission.

Both pay a container start. Target per task: new <= max(1.5 x old, old + 2 s).
Usage: python bench/grading_overhead.py [--repeats 5] [--no-write]
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

from results_file import write_section

from mlgym_nb.grading import grade
from mlgym_nb.intake import take_submission
from mlgym_nb.sandbox import Mount, make_sandbox
from mlgym_nb.tasks import list_tasks, load_task, parse_size
from mlgym_nb.workspace import Workspace, prepared_data

BEFORE = "617bd93"  # the last commit whose graders ran submitted code in the scorer's process
ROOT = Path(__file__).resolve().parents[1]


def old_graders(into: Path) -> Path:
    """The task folders of commit BEFORE."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", BEFORE, "tasks"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "tasks"


def grade_in_process(task, old: Path, submission: Path) -> float:
    """Wall time of the old grader on ``submission``, in a grader container (root: the hidden data is root-only)."""
    _public, hidden = prepared_data(task)
    mounts = [Mount(submission, "/workspace"), Mount(hidden, "/hidden"), Mount(old / task.id / "grader", "/grader"),
              Mount(old / "_common", "/common"), Mount(task.root / "starter", "/starter")]
    box = make_sandbox("docker", task.resources, task.family, "bench-old-grader")
    argv = ["python", "/grader/evaluate.py", "--split", "test", "--workspace", "/workspace", "--hidden", "/hidden"]
    start = time.perf_counter()
    result = box.run(argv, mounts, timeout=task.grader.timeout, scorer=True)
    took = time.perf_counter() - start
    if result.returncode != 0 or '"error"' in result.stdout:
        raise SystemExit(f"the old grader of {task.id} failed: {result.stdout[-300:]} {result.stderr[-300:]}")
    return took


def submission_of(task, ws: Workspace) -> None:
    if task.id == "house_price":  # the starter writes its predictions from a cell; any valid file will do here
        import pandas as pd

        public, _hidden = prepared_data(task)
        rows = pd.concat([pd.read_csv(public / "dev.csv"), pd.read_csv(public / "test.csv")])
        pd.DataFrame({"Id": rows["Id"], "SalePrice": 180000.0}).to_csv(ws.path / "submission.csv", index=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        old = old_graders(Path(tmp))
        for task_id in list_tasks():
            task = load_task(task_id)
            ws = Workspace.create(task)
            submission_of(task, ws)
            copy = Path(tmp) / f"{task_id}-submission"
            take_submission(ws.path, task.grader.submission, copy, parse_size(task.grader.max_submission_size))
            new_t, old_t = [], []
            for _ in range(args.repeats):  # interleaved: machine noise hits both alike
                start = time.perf_counter()
                score = grade(task, ws.path, "test", "docker")
                new_t.append(time.perf_counter() - start)
                if score.status != "scored":
                    raise SystemExit(f"{task_id}: {score.message}")
                old_t.append(grade_in_process(task, old, copy))
            ws.discard()
            new, before = statistics.median(new_t), statistics.median(old_t)
            met = new <= max(1.5 * before, before + 2.0)
            rows.append((task_id, before, new, met))
            print(f"{task_id}: in-process {before:.2f} s, isolated {new:.2f} s", flush=True)
    table = ("| task | in-process (old) | isolated (now) | ratio | added | target <= max(1.5x, +2 s) |\n"
             "|---|---|---|---|---|---|\n" + "\n".join(
                 f"| {t} | {b:.2f} s | {n:.2f} s | {n / b:.2f}x | {n - b:+.2f} s | {'met' if m else 'MISSED'} |"
                 for t, b, n, m in rows))
    print(table)
    if not args.no_write:
        write_section("Grading", f"Written by `python bench/grading_overhead.py` on {time.strftime('%Y-%m-%d')}: "
                      f"test-split grading wall time, median of {args.repeats} interleaved runs per design, "
                      "container start included. Isolated: intake copy, scorer as root with four "
                      "capabilities, submitted code in a player process under another uid. In-process: the "
                      f"graders of commit {BEFORE}, which imported the submitted code, in the same container "
                      "on the same submission copy.\n\n" + table)


if __name__ == "__main__":
    main()
