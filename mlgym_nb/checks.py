"""`mlgym-nb tasks check`: prepare a task's data, grade its baseline and its reference, compare.

With ``stand_in`` the task runs on its synthetic stand-in data (``datasets.write_stand_in``, in a temporary
data folder): the same loader, baseline cell, reference and grader, but the scores only have to exist,
since they are not real.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
import time
from pathlib import Path

from .clock import since
from .datasets import write_stand_in
from .env import NotebookEnv
from .errors import TaskError
from .grading import grade_splits, summary
from .tasks import TaskSpec
from .workspace import prepared_data

log = logging.getLogger(__name__)


def _baseline(task: TaskSpec, sandbox: str, tmp: Path, stand_in: bool) -> tuple[dict[str, float], bool]:
    """Grade the starter workspace, after running the task's baseline cell if it has one."""
    start = time.monotonic()
    with NotebookEnv(task, sandbox=sandbox, episode=tmp / "baseline.ipynb", agent="baseline") as env:
        env.reset(seed=0)
        ok = True
        if task.run_baseline:
            _obs, _r, _t, _tr, info = env.step(task.run_baseline)
            if info["status"] != "ok":
                log.info(f"[check] the baseline cell {task.run_baseline!r} ended with {info['status']}")
                ok = False
        scores = {}
        assert env.workspace is not None
        for split, score in grade_splits(task, env.workspace.path, sandbox=sandbox).items():
            scores[split] = score.value if score.value is not None else math.nan
            want = task.baseline.get(split)
            if stand_in:
                agree = score.status == "scored"
                log.info(f"[check] baseline {split}: {summary(score, task)} -> {'ok' if agree else 'NOT SCORED'}")
            else:
                agree = (score.status == "scored" and want is not None
                         and abs(scores[split] - want) <= task.metric.tolerance)
                log.info(f"[check] baseline {split}: {summary(score, task)}; task.yaml says {want} "
                         f"(tolerance {task.metric.tolerance:g}) -> {'ok' if agree else 'MISMATCH'}")
            ok &= agree
    log.info(f"[check] baseline: {since(start)} (kernel, baseline cell and grading)")
    return scores, ok


def check_task(task: TaskSpec, sandbox: str = "auto", stand_in: bool = False) -> int:
    """Print baseline and reference scores against task.yaml; 0 when all agree, 1 otherwise."""
    if not stand_in:
        return _check(task, sandbox, False)
    if task.data is None:
        raise TaskError(f"task {task.id} has no external data, so no stand-in: check it without --stand-in")
    saved = os.environ.get("MLGYM_DATA")
    with tempfile.TemporaryDirectory(prefix="mlgym-stand-in-") as data:
        os.environ["MLGYM_DATA"] = data  # in the environment: kernels and graders prepare data in this process
        try:
            write_stand_in(task, Path(data) / task.id)
            log.info(f"[check] {task.id}: stand-in data in {data} (synthetic, with the real schema)")
            return _check(task, sandbox, True)
        finally:
            if saved is None:
                os.environ.pop("MLGYM_DATA", None)
            else:
                os.environ["MLGYM_DATA"] = saved


def _check(task: TaskSpec, sandbox: str, stand_in: bool) -> int:
    public, hidden = prepared_data(task)
    log.info(f"[check] {task.id}: data prepared (public {public}, hidden {hidden})")
    better = 1 if task.metric.direction == "maximize" else -1
    with tempfile.TemporaryDirectory(prefix="mlgym-check-") as tmp:
        baseline, ok = _baseline(task, sandbox, Path(tmp), stand_in)
        cells = task.reference_cells()
        if not cells:
            log.info("[check] no reference solution")
            return 0 if ok else 1
        start = time.monotonic()
        with NotebookEnv(task, sandbox=sandbox, episode=Path(tmp) / "reference.ipynb", agent="reference") as env:
            env.reset(seed=0)
            for cell in cells:
                _obs, _r, terminated, truncated, info = env.step(cell)
                if info["status"] in ("error", "timeout", "died"):
                    log.info(f"[check] reference cell {info['step']} ended with {info['status']}")
                    ok = False
                if terminated or truncated:
                    break
            assert env.recorder is not None
            for graded in env.recorder.meta.scores:
                score = graded.dev if graded.kind == "validate" else graded.test
                base = baseline.get(score.split, math.nan)
                value = score.value if score.value is not None else math.nan
                if stand_in:
                    beats = score.status == "scored"
                    verdict = "scored" if beats else "NOT SCORED"
                else:
                    beats = (value - base) * better > task.metric.tolerance
                    verdict = "beats it" if beats else "DOES NOT BEAT IT"
                ok &= beats
                log.info(f"[check] reference {graded.kind} ({score.split}): {value} vs baseline {base} -> {verdict}")
        log.info(f"[check] reference: {since(start)} (kernel, its cells and gradings)")
    log.info(f"[check] {task.id}: {'ok' if ok else 'FAILED'}{' (stand-in data)' if stand_in else ''}")
    return 0 if ok else 1
