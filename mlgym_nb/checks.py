"""`mlgym-nb tasks check`: prepare a task's data, grade its baseline and its reference, compare."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from .env import NotebookEnv
from .grading import grade
from .tasks import TaskSpec
from .workspace import prepared_data


def _baseline(task: TaskSpec, sandbox: str, tmp: Path) -> tuple[dict[str, float], bool]:
    """Grade the starter workspace, after running the task's baseline cell if it has one."""
    with NotebookEnv(task, sandbox=sandbox, episode=tmp / "baseline.ipynb", agent="baseline") as env:
        env.reset(seed=0)
        ok = True
        if task.run_baseline:
            _obs, _r, _t, _tr, info = env.step(task.run_baseline)
            if info["status"] != "ok":
                print(f"[check] the baseline cell {task.run_baseline!r} ended with {info['status']}")
                ok = False
        scores = {}
        for split in ("dev", "test"):
            score = grade(task, env.workspace, split, sandbox)
            scores[split] = score.value
            want = task.baseline.get(split)
            agree = score.status == "scored" and want is not None and abs(score.value - want) <= task.metric.tolerance
            ok &= agree
            print(f"[check] baseline {split}: {score.summary(task)}; task.yaml says {want} "
                  f"(tolerance {task.metric.tolerance:g}) -> {'ok' if agree else 'MISMATCH'}")
    return scores, ok


def check_task(task: TaskSpec, sandbox: str = "auto") -> int:
    """Print baseline and reference scores against task.yaml; 0 when all agree, 1 otherwise."""
    public, hidden = prepared_data(task)
    print(f"[check] {task.id}: data prepared (public {public}, hidden {hidden})")
    better = 1 if task.metric.direction == "maximize" else -1
    with tempfile.TemporaryDirectory(prefix="mlgym-check-") as tmp:
        baseline, ok = _baseline(task, sandbox, Path(tmp))
        cells = task.reference_cells()
        if not cells:
            print("[check] no reference solution")
            return 0 if ok else 1
        with NotebookEnv(task, sandbox=sandbox, episode=Path(tmp) / "reference.ipynb", agent="reference") as env:
            env.reset(seed=0)
            for cell in cells:
                _obs, _r, terminated, truncated, info = env.step(cell)
                if info["status"] in ("error", "timeout", "died"):
                    print(f"[check] reference cell {info['step']} ended with {info['status']}")
                    ok = False
                if terminated or truncated:
                    break
            for entry in env.recorder.meta["scores"]:
                base = baseline.get(entry["split"], math.nan)
                value = entry["value"] if entry["value"] is not None else math.nan
                beats = (value - base) * better > task.metric.tolerance
                ok &= beats
                print(f"[check] reference {entry['split']}: {value} vs baseline {base} -> "
                      f"{'beats it' if beats else 'DOES NOT BEAT IT'}")
    print(f"[check] {task.id}: {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1
