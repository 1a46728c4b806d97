"""Reruns: the ``mlgym`` papermill engine, and the report of where a rerun diverged from the record.

The engine re-executes an episode notebook in a fresh workspace of its task: code cells run in the
task's kernel (KernelSession), ``%validate`` / ``%submit`` cells are graded in the grader's sandbox
as during the episode. papermill keeps its own bookkeeping (cell status, timing, saves). After the
run, ``compare`` matches each step's outputs with the record, normalised for what legitimately
changes (addresses, timestamps, progress bars, float noise), and the final scores within the task's
tolerance.
"""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any

import nbformat

from .episode import ACTION_SPLITS
from .errors import EpisodeError
from .grading import grade
from .kernel import KernelSession
from .tasks import TaskSpec, load_task
from .workspace import new_workspace

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:?\d\d|Z)?")
_FLOAT = re.compile(r"-?\d+\.\d+(e[+-]?\d+)?")
_PROGRESS = re.compile(r"^.*(\d+%\|| it/s\]|s/it\]).*$", re.M)


def normalise(text: str) -> str:
    """Output text with what may change between identical runs made uniform."""
    text = _PROGRESS.sub("", _ANSI.sub("", text))
    text = _TIME.sub("<time>", _ADDRESS.sub("0x?", text))
    return _FLOAT.sub(lambda m: f"{float(m.group()):.5g}", text)


def output_text(cell: Any) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
        else:
            data = out.get("data", {})
            parts.append(str(data.get("text/plain", "")) + "".join(f"[{m}]" for m in data if m.startswith("image/")))
    return normalise("".join(parts))


def _final_scores(cells: list[Any]) -> dict[str, float | None]:
    scores: dict[str, float | None] = {}
    for cell in cells:
        score = cell.get("metadata", {}).get("mlgym", {}).get("score")
        if score:
            scores[score["split"]] = score.get("value")
    return scores


def compare(original: nbformat.NotebookNode, rerun: nbformat.NotebookNode, task: TaskSpec) -> dict[str, Any]:
    """Per step: same or different outputs; the first divergence; whether the final scores reproduce."""
    by_id = {c.get("id"): c for c in rerun.cells}
    steps = [c for c in original.cells if c.cell_type == "code" and c.get("id", "").startswith("step-")]
    cells = []
    for cell in steps:
        again = by_id.get(cell.id)
        cells.append({"id": cell.id, "same": again is not None and output_text(cell) == output_text(again)})
    first = next((c["id"] for c in cells if not c["same"]), None)
    before, after = _final_scores(steps), _final_scores([by_id[c.id] for c in steps if c.id in by_id])
    scores = {}
    for split, value in before.items():
        new = after.get(split)
        same = (value is None and new is None) or (
            value is not None and new is not None and abs(value - new) <= task.metric.tolerance)
        scores[split] = {"original": value, "rerun": new, "same": same}
    return {"cells": cells, "first_divergence": first, "scores": scores,
            "reproduced": all(s["same"] for s in scores.values()) and bool(scores),
            "identical_outputs": first is None, "artefacts": _artefacts(original, rerun, task)}


def _artefacts(original: nbformat.NotebookNode, rerun: nbformat.NotebookNode, task: TaskSpec) -> dict[str, str]:
    """The submission files of both workspaces: does a top-to-bottom run in a fresh kernel make the same ones?"""
    folders = [Path(nb.metadata.mlgym.get("workspace") or "/nonexistent") for nb in (original, rerun)]
    result = {}
    for name in task.grader.submission:
        first, second = (folder / name for folder in folders)
        if not first.is_file() or not second.is_file():
            result[name] = "missing in " + ("the original" if not first.is_file() else "the rerun")
        else:
            result[name] = "same" if first.read_bytes() == second.read_bytes() else "different"
    return result


class _OnFirstUse(type):
    def __getattr__(cls, name: str) -> Any:
        return getattr(_engine(), name)


class MlgymEngine(metaclass=_OnFirstUse):
    """papermill engine ``mlgym``: re-executes an episode in its task's sandbox, grading its actions.

    papermill imports its entry points while it is itself being imported, so this module must not
    import papermill at load time: every attribute papermill asks for comes from an Engine subclass
    made on first use.
    """


@functools.cache
def _engine() -> Any:
    from papermill.engines import Engine

    return type("MlgymPapermillEngine", (Engine,), {"execute_managed_notebook": classmethod(_execute_episode)})


def _execute_episode(cls: Any, nb_man: Any, kernel_name: str, log_output: bool = False, sandbox: str = "auto",
                     workspace: str | None = None, **kwargs: Any) -> None:
    """Run an episode's cells in a fresh workspace with papermill's bookkeeping (nb_man)."""
    nb = nb_man.nb
    if "mlgym" not in nb.metadata:
        raise EpisodeError("this notebook is not an mlgym episode (no metadata.mlgym); use papermill's default "
                           "engine for other notebooks")
    task = load_task(nb.metadata.mlgym["task"])
    output = Path(nb_man.output_path or "rerun.ipynb")
    workspace_dir = new_workspace(task, Path(workspace) if workspace else output.with_suffix(".workspace"))
    nb.metadata.mlgym["workspace"] = str(workspace_dir.resolve())
    with KernelSession(task, workspace_dir.resolve(), sandbox) as session:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            nb_man.cell_start(cell, index)
            source = cell.source.strip()
            info = cell.metadata.setdefault("mlgym", {})
            if source in ACTION_SPLITS:
                score = grade(task, session.workspace, ACTION_SPLITS[source], sandbox)
                cell.outputs = [score.as_output(task)]
                info.update(status=score.status, score=score.as_dict())
            else:
                result = session.run(cell.source, timeout=task.limits.cell_timeout)
                cell.outputs, cell.execution_count = result.outputs, result.execution_count
                info.update(status=result.status, duration=result.duration, usage=result.usage,
                            notes=result.notes)
                if result.status != "ok":
                    nb_man.cell_exception(cell, index, exception=RuntimeError(result.status))
            nb_man.cell_complete(cell, index)


def rerun(episode: Path, out: Path, seed: int | None = None, sandbox: str = "auto") -> dict[str, Any]:
    """Re-execute ``episode`` into ``out`` with the mlgym engine; returns the divergence report.

    The report is also stored in ``out``'s ``metadata.mlgym.rerun`` and written as markdown next to it.
    """
    original = nbformat.read(str(episode), as_version=4)
    if "mlgym" not in original.metadata:
        raise EpisodeError(f"{episode} is not an mlgym episode (no metadata.mlgym)")
    task = load_task(original.metadata.mlgym["task"])
    import papermill
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillExecutionError

    parameters = {"seed": seed} if seed is not None else {}
    papermill_engines.register("mlgym", MlgymEngine)  # the papermill CLI finds it by its entry point
    try:
        papermill.execute_notebook(str(episode), str(out), parameters=parameters, engine_name="mlgym",
                                   progress_bar=False, sandbox=sandbox)
    except PapermillExecutionError:
        pass  # agent episodes contain failing cells: data for the report, not a reason to stop
    again = nbformat.read(str(out), as_version=4)
    report = compare(copy.deepcopy(original), again, task)
    recorded = {c.get("id"): c for c in original.cells if c.cell_type == "code"}
    for cell in again.cells:  # the record beside the rerun, cell by cell, for side-by-side reading
        if cell.cell_type == "code" and cell.get("id") in recorded:
            before = recorded[cell.id]
            cell.metadata.setdefault("mlgym", {})["original"] = {
                "outputs": before.outputs, "execution_count": before.execution_count,
                **{k: v for k, v in before.metadata.get("mlgym", {}).items() if k in ("status", "duration", "score")}}
    again.metadata.mlgym["rerun"] = {"of": str(episode), "seed": seed, **report}
    nbformat.write(again, str(out))
    out.with_suffix(".md").write_text(summary(report, f"Rerun of {episode}"))
    return report


def diff(first: Path, second: Path) -> dict[str, Any]:
    """Compare two episodes of one task step by step (outputs normalised) and by their final scores."""
    a, b = (nbformat.read(str(p), as_version=4) for p in (first, second))
    tasks = {nb.metadata.get("mlgym", {}).get("task") for nb in (a, b)}
    if len(tasks) != 1 or None in tasks:
        found = ", ".join(sorted(map(str, tasks)))
        raise EpisodeError(f"{first} and {second} must be mlgym episodes of one task (tasks: {found})")
    return compare(a, b, load_task(tasks.pop()))


def summary(report: dict[str, Any], title: str) -> str:
    """The report as short markdown."""
    lines = [f"# {title}", "",
             f"**{'Reproduced' if report['reproduced'] else 'NOT reproduced'}**; "
             + ("all step outputs identical." if report["identical_outputs"]
                else f"first divergence at `{report['first_divergence']}`."), "",
             "| split | original | rerun | same |", "|---|---|---|---|"]
    for split, s in report["scores"].items():
        lines.append(f"| {split} | {s['original']} | {s['rerun']} | {'yes' if s['same'] else 'NO'} |")
    if report["artefacts"]:
        lines += ["", "Submission files, first against second workspace: "
                  + ", ".join(f"`{name}` {state}" for name, state in report["artefacts"].items()) + "."]
    lines += ["", "| step | outputs |", "|---|---|"]
    lines += [f"| {c['id']} | {'same' if c['same'] else 'DIFFERENT'} |" for c in report["cells"]]
    return "\n".join(lines) + "\n"

