"""Grading: a task's grader scores a copy of the submission in a sandbox of its own.

The grader never sees the workspace: ``intake.take_submission`` copies the declared files out of
it as regular files, and only that copy is mounted (read-only at /submission). The grader's
sandbox alone mounts the hidden data and the grader's code, under the root-only /secret; its
scorer runs any submitted code as another uid (tasks/_common/player.py). One snapshot is graded on
both splits: dev is what ``%validate`` shows, test is kept for the record (best-attempt selection
looks at dev only) and is what ``%submit`` shows.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat

from . import datasets
from .errors import SandboxError
from .intake import SubmissionRefused, take_submission
from .paths import cache_dir
from .sandbox import Mount, layout, make_sandbox
from .sandbox.base import gib
from .schema import Score
from .tasks import TaskSpec, parse_size
from .workspace import prepared_data

SPLITS = ("dev", "test")
MAX_MESSAGE = 2000


def summary(score: Score, task: TaskSpec) -> str:
    """One line for the agent and the notebook: the score against the baseline, or why there is none."""
    if score.status != "scored":
        return f"{score.split} submission {score.status}: {score.message}"
    base = task.baseline.get(score.split)
    vs = f" (baseline {base:g})" if base is not None else ""
    note = "" if score.isolated is not False else " [the submitted code was not isolated from the grader]"
    note += " [stand-in data: not a real score]" if score.stand_in else ""
    return f"{score.split} {task.metric.name} = {score.value:g}{vs}{note}"


def as_output(score: Score, task: TaskSpec) -> Any:
    """The summary as the notebook output of a %validate / %submit cell."""
    return nbformat.v4.new_output("stream", name="stdout", text=summary(score, task) + "\n")


def _parse(stdout: str) -> dict | None:
    for line in reversed(stdout.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _mounts(task: TaskSpec, submission: Path, hidden: Path) -> list[Mount]:
    mounts = [Mount(submission, layout.SUBMISSION), Mount(hidden, layout.HIDDEN),
              Mount((task.root / task.grader.script).parent, layout.GRADER)]
    if task.starter:  # the baseline as shipped (copied next to the submission), for graders that compare
        mounts.append(Mount(submission.parent / "starter", layout.STARTER))
    mounts.append(Mount(task.common_dir, layout.COMMON))  # player.py, kit.py and the like
    return mounts


def _grade_copy(task: TaskSpec, submission: Path, split: str, sandbox: str, files: dict[str, str]) -> Score:
    _public, hidden = prepared_data(task)
    box = make_sandbox(sandbox, task.grader.resources or task.resources, task.family, f"grader-{task.id}")
    mounts = _mounts(task, submission, hidden)
    argv = [box.inside(a, mounts) if a.startswith("/") else a
            for a in layout.grader_argv(Path(task.grader.script).name, split)]
    start = time.monotonic()
    common: dict[str, Any] = dict(split=split, submission=files,
                                  stand_in=True if datasets.is_stand_in(hidden.parent) else None)
    try:
        proc = box.run(argv, mounts, timeout=task.grader.timeout, scorer=True)
    except SandboxError as exc:
        return Score(**common, status="error", message=str(exc), duration=round(time.monotonic() - start, 3))
    common["duration"] = round(time.monotonic() - start, 3)
    result = _parse(proc.stdout)
    # Out of memory with a result printed: the kernel killed the submitted code, and the scorer said so.
    if proc.failure == "time" and (result is None or proc.returncode != 0):
        return Score(**common, status="invalid", message=f"grading ran past its {task.grader.timeout:g} s limit: "
                                                        "the submitted code is too slow or hangs")
    if proc.failure == "memory" and (result is None or proc.returncode != 0):
        limit = gib((task.grader.resources or task.resources).memory_bytes)
        return Score(**common, status="error", message=f"the grader ran out of memory (limit {limit})")
    if result is None or proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip()[-1500:]
        return Score(**common, status="error",
                     message=f"the grader exited with code {proc.returncode} and printed no metrics: {tail}")
    isolated = result.get("isolated") if isinstance(result.get("isolated"), bool) else None
    if "error" in result:
        return Score(**common, status="invalid", message=str(result["error"])[:MAX_MESSAGE], isolated=isolated)
    metric = task.metric.name
    value = result.get(metric)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return Score(**common, status="error", message=f"the grader's output has no numeric {metric!r}: "
                                                       f"{str(result)[:MAX_MESSAGE]}")
    metrics = {k: float(v) for k, v in result.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return Score(**common, value=float(value), metrics=metrics, isolated=isolated)


def grade_splits(task: TaskSpec, workspace: Path, splits: tuple[str, ...] = SPLITS,
                 sandbox: str = "auto") -> dict[str, Score]:
    """Grade one snapshot of ``workspace`` on each of ``splits``; never raises for a bad submission."""
    root = cache_dir() / "grading"
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{task.id}-", dir=root))
    try:
        try:
            intake = take_submission(Path(workspace), task.grader.submission, tmp / "submission",
                                     parse_size(task.grader.max_submission_size))
        except SubmissionRefused as exc:
            return {s: Score(split=s, status="invalid", message=str(exc)) for s in splits}
        (tmp / "starter").mkdir()
        task.copy_starter(tmp / "starter")
        # The splits side by side: a %validate costs one grading's wall time, not two (unless timings matter).
        with ThreadPoolExecutor(max_workers=1 if task.grader.timed else len(splits)) as pool:
            futures = {s: pool.submit(_grade_copy, task, tmp / "submission", s, sandbox, intake.files) for s in splits}
            return {s: f.result() for s, f in futures.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def grade(task: TaskSpec, workspace: Path, split: str, sandbox: str = "auto") -> Score:
    """Grade ``workspace`` on one split (see grade_splits)."""
    return grade_splits(task, workspace, (split,), sandbox)[split]
