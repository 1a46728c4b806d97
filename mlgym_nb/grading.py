"""Grading: a task's grader runs in a sandbox of its own, the only one that sees the hidden data."""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from .sandbox.base import Mounts
from .sandbox.provisioner import make_sandbox
from .tasks import TaskSpec
from .workspace import prepared_data


@dataclass
class Score:
    """One grading of a workspace on one split."""

    split: str
    """``dev`` (what %validate scores) or ``test`` (what %submit scores)."""
    value: float = math.nan
    """The task's primary metric; NaN when unscored."""
    status: str = "scored"
    """``scored``, ``invalid`` (the submission is missing or malformed) or ``error`` (the grader failed)."""
    message: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    duration: float = 0.0

    def as_dict(self) -> dict:
        out = asdict(self)
        out["value"] = None if math.isnan(self.value) else self.value
        return out

    def as_output(self, task: TaskSpec) -> Any:
        """The summary as the notebook output of a %validate / %submit cell."""
        return nbformat.v4.new_output("stream", name="stdout", text=self.summary(task) + "\n")

    def summary(self, task: TaskSpec) -> str:
        if self.status != "scored":
            return f"{self.split} submission {self.status}: {self.message}"
        base = task.baseline.get(self.split)
        vs = f" (baseline {base:g})" if base is not None else ""
        return f"{self.split} {task.metric.name} = {self.value:g}{vs}"


def _parse(stdout: str) -> dict | None:
    for line in reversed(stdout.strip().splitlines()):
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None


def grade(task: TaskSpec, workspace: Path, split: str, sandbox: str = "auto") -> Score:
    """Run the task's grader on ``workspace`` for ``split`` in a fresh sandbox; never raises for bad input."""
    _public, hidden = prepared_data(task)
    grader_dir = (task.root / task.grader.script).parent
    script = "/grader/" + Path(task.grader.script).name
    box = make_sandbox(sandbox, task, label=f"grader-{task.id}")
    readonly = {"/grader": grader_dir, "/hidden": hidden}
    if task.starter:  # the baseline as shipped, for graders that compare against it
        readonly["/starter"] = task.root / task.starter
    common = task.root.parent / "_common"  # code shared by the graders of a task folder
    if common.is_dir():
        readonly["/common"] = common
    mounts = Mounts(Path(workspace), readonly)
    argv = ["python", script, "--split", split, "--workspace", "/workspace", "--hidden", "/hidden"]
    start = time.monotonic()
    proc = box.run(argv, mounts, timeout=task.grader.timeout)
    took = round(time.monotonic() - start, 3)
    if proc.returncode == 124:
        return Score(split, status="error", message=f"the grader ran past its {task.grader.timeout:g} s limit",
                     duration=took)
    result = _parse(proc.stdout)
    if result is None or proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip()[-1500:]
        return Score(split, status="error", duration=took,
                     message=f"the grader exited with code {proc.returncode} and printed no metrics: {tail}")
    if "error" in result:
        return Score(split, status="invalid", message=str(result["error"]), duration=took)
    metric = task.metric.name
    if not isinstance(result.get(metric), (int, float)):
        return Score(split, status="error", duration=took,
                     message=f"the grader's output has no numeric {metric!r}: {result}")
    metrics = {k: float(v) for k, v in result.items() if isinstance(v, (int, float))}
    return Score(split, value=float(result[metric]), metrics=metrics, duration=took)
