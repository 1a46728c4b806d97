"""`mlgym-nb tasks check`: prepare a task's data, grade its baseline and its reference, compare."""

from __future__ import annotations

import logging
import math
import tempfile
from pathlib import Path

from .env import NotebookEnv
from .grading import grade_splits, summary
from .tasks import TaskSpec
from .workspace import prepared_data

log = logging.getLogger(__name__)


def _baseline(task: TaskSpec, sandbox: str, tmp: Path) -> tuple[dict[str, float], bool]:
    """Grade the starter workspace, after running the task's baseline cell if it has one."""
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
            agree = score.status == "scored" and want is not None and abs(scores[split] - want) <= task.metric.tolerance
            ok &= agree
            log.info(f"[check] baseline {split}: {summary(score, task)}; task.yaml says {want} "
                  f"(tolerance {task.metric.tolerance:g}) -> {'ok' if agree else 'MISMATCH'}")
    return scores, ok


def check_task(task: TaskSpec, sandbox: str = "auto") -> int:
    """Print baseline and reference scores against task.yaml; 0 when all agree, 1 otherwise."""
    public, hidden = prepared_data(task)
    log.info(f"[check] {task.id}: data prepared (public {public}, hidden {hidden})")
    better = 1 if task.metric.direction == "maximize" else -1
    with tempfile.TemporaryDirectory(prefix="mlgym-check-") as tmp:
        baseline, ok = _baseline(task, sandbox, Path(tmp))
        cells = task.reference_cells()
        if not cells:
            log.info("[check] no reference solution")
            return 0 if ok else 1
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
                beats = (value - base) * better > task.metric.tolerance
                ok &= beats
                log.info(f"[check] reference {graded.kind} ({score.split}): {value} vs baseline {base} -> "
                      f"{'beats it' if beats else 'DOES NOT BEAT IT'}")
    log.info(f"[check] {task.id}: {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1
