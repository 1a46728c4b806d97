"""Reruns: the ``mlgym`` papermill engine, and the report of where a rerun diverged from the record.

The engine re-executes an episode notebook in a fresh workspace of its task: step cells go through
``actions.execute_step`` as during the episode (cells in the task's kernel, ``%validate`` /
``%submit`` graded in the grader's sandbox), and the notebook's score list is rebuilt from these
gradings. papermill keeps its own bookkeeping (cell status, timing, saves). ``compare`` matches
each step's outputs with the record, normalised for what legitimately changes (addresses,
timestamps, progress bars, float noise), and the final scores within the task's tolerance; it only
trusts scores a notebook made itself (plain papermill copies the original's metadata unchanged).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import nbformat

from .actions import execute_step
from .episode import LoadedEpisode, header_text, load_episode
from .errors import EpisodeError, TaskError
from .grading import grade_splits
from .kernel import KernelSession
from .schema import Graded, read_episode
from .tasks import TaskSpec, load_task, load_task_file
from .workspace import Workspace

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


def task_of(meta: Any) -> TaskSpec:
    """The task an episode ran: from its recorded folder when that still exists, else by id."""
    root = Path(meta.task_root) if meta.task_root else None
    if root is not None and (root / "task.yaml").is_file():
        return load_task_file(root / "task.yaml")
    try:
        return load_task(meta.task)
    except TaskError as exc:
        where = f" (recorded folder {root} is gone)" if root else ""
        raise TaskError(f"{exc}{where}; add its folder with --tasks-dir or MLGYM_TASKS_PATH") from None


def own_scores(episode: LoadedEpisode) -> list[Graded] | None:
    """The gradings a notebook made itself, or None when its scores are a copy.

    A notebook re-executed by plain papermill carries the original's metadata unchanged: its
    ``%validate`` / ``%submit`` cells graded nothing.
    """
    if "papermill" in episode.nb.metadata and episode.meta.rerun is None:
        return None
    return episode.meta.scores


def _final(scores: list[Graded] | None) -> Graded | None:
    return scores[-1] if scores else None


def compare(original: LoadedEpisode, other: LoadedEpisode, task: TaskSpec) -> dict[str, Any]:
    """Per step: same or different outputs; the first divergence; whether the final scores agree."""
    by_id = {c.get("id"): c for c in other.nb.cells}
    cells = []
    for cell, _step in original.steps:
        again = by_id.get(cell.id)
        cells.append({"id": cell.id, "same": again is not None and output_text(cell) == output_text(again)})
    first = next((c["id"] for c in cells if not c["same"]), None)
    mine, theirs = own_scores(original), own_scores(other)
    graded = {"original": bool(mine), "other": bool(theirs)}
    before, after = _final(mine), _final(theirs)
    scores = {}
    for split in ("dev", "test"):
        old = getattr(before, split) if before else None
        new = getattr(after, split) if after else None
        same = (old is not None and new is not None and old.status == new.status
                and (old.value is None) == (new.value is None)
                and (old.value is None or abs(old.value - new.value) <= task.metric.tolerance))
        scores[split] = {"original": _shown(old), "other": _shown(new), "same": same}
    artefacts = _artefacts(original, other, task) if theirs is not None and mine is not None else {}
    return {"cells": cells, "first_divergence": first, "graded": graded, "scores": scores,
            "reproduced": all(graded.values()) and all(s["same"] for s in scores.values()),
            "identical_outputs": first is None, "artefacts": artefacts}


def _shown(score: Any) -> Any:
    if score is None:
        return "not graded"
    return score.value if score.status == "scored" else score.status


def _artefacts(original: LoadedEpisode, other: LoadedEpisode, task: TaskSpec) -> dict[str, str]:
    """The submission files of both workspaces: does a top-to-bottom run in a fresh kernel make the same ones?"""
    folders = [Path(ep.meta.workspace) if ep.meta.workspace else None for ep in (original, other)]
    result = {}
    for name in task.grader.submission:
        first, second = ((folder / name) if folder else None for folder in folders)
        missing = [label for label, path in (("the original", first), ("the other", second))
                   if path is None or not path.is_file()]
        if missing:
            result[name] = "missing in " + " and ".join(missing)
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
    if not isinstance(nb.metadata.get("mlgym"), dict):
        raise EpisodeError("this notebook is not an mlgym episode (no metadata.mlgym); use papermill's default "
                           "engine for other notebooks")
    meta = read_episode(dict(nb.metadata.mlgym))
    task = task_of(meta)
    output = Path(nb_man.output_path or "rerun.ipynb")
    archive = (Path(workspace) if workspace else output.with_suffix(".workspace")).absolute()
    ws = Workspace.create(task, archive)
    meta.workspace, meta.scores, meta.rerun = str(archive), [], {}
    try:
        with KernelSession(task, ws.path, sandbox) as session:
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                nb_man.cell_start(cell, index)
                if str(cell.get("id", "")).startswith("step-"):
                    number = int(cell.id.split("-")[1])
                    result = execute_step(session, task, cell.source, number, sandbox, task.limits.cell_timeout)
                    cell.outputs, cell.execution_count = result.outputs, result.execution_count
                    cell.metadata["mlgym"] = result.record.model_dump(mode="json", exclude_none=True)
                    if result.record.kind != "cell":
                        meta.scores.append(Graded(step=number, kind=result.record.kind, **result.scores))
                    status = result.record.status
                else:  # parameters, papermill's injected parameters, setup
                    ran = session.run(cell.source, timeout=task.limits.cell_timeout)
                    cell.outputs, cell.execution_count, status = ran.outputs, ran.execution_count, ran.status
                if status not in ("ok", "scored"):
                    nb_man.cell_exception(cell, index, exception=RuntimeError(status))
                nb_man.cell_complete(cell, index)
        if meta.exit not in (None, "submitted", "interrupted"):  # the episode ended in an autosubmission
            scores = grade_splits(task, ws.path, sandbox=sandbox)
            meta.scores.append(Graded(step=meta.steps, kind="autosubmit", **scores))
    finally:
        ws.finish()
        seed = nb.metadata.get("papermill", {}).get("parameters", {}).get("seed")
        meta.seed = seed if isinstance(seed, int) else meta.seed
        nb.cells[0].source = header_text(meta, task.name, task.metric.name)  # this run's seed and scores
        nb.metadata["mlgym"] = meta.model_dump(mode="json", exclude_none=True)


def rerun(episode: Path, out: Path, seed: int | None = None, sandbox: str = "auto") -> dict[str, Any]:
    """Re-execute ``episode`` into ``out`` with the mlgym engine; returns the divergence report.

    The report is also stored in ``out``'s ``metadata.mlgym.rerun`` and written as markdown next to it.
    """
    original = load_episode(episode)
    task = task_of(original.meta)
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
    again = load_episode(out)
    report = compare(original, again, task)
    recorded = {c.get("id"): c for c, _ in original.steps}
    for cell, _ in again.steps:  # the record beside the rerun, cell by cell, for side-by-side reading
        if cell.get("id") in recorded:
            before = recorded[cell.id]
            cell.metadata.setdefault("mlgym", {})["original"] = {
                "outputs": before.outputs, "execution_count": before.execution_count,
                **{k: v for k, v in before.metadata.get("mlgym", {}).items() if k in ("status", "duration", "scores")}}
    again.nb.metadata.mlgym["rerun"] = {"of": str(episode), "seed": seed, **report}
    nbformat.write(again.nb, str(out))
    out.with_suffix(".md").write_text(summary(report, f"Rerun of {episode}"))
    return report


def diff(first: Path, second: Path) -> dict[str, Any]:
    """Compare two episodes of one task step by step (outputs normalised) and by their final scores."""
    a, b = load_episode(first), load_episode(second)
    if a.meta.task != b.meta.task:
        raise EpisodeError(f"{first} and {second} are episodes of different tasks ({a.meta.task}, {b.meta.task})")
    return compare(a, b, task_of(a.meta))


def summary(report: dict[str, Any], title: str) -> str:
    """The report as short markdown."""
    graded = report["graded"]
    if not graded["other"] or not graded["original"]:
        which = " and ".join(k for k, v in graded.items() if not v)
        verdict = f"**Not comparable**: the {which} notebook graded nothing itself"
    else:
        verdict = f"**{'Reproduced' if report['reproduced'] else 'NOT reproduced'}**"
    lines = [f"# {title}", "",
             f"{verdict}; " + ("all step outputs identical." if report["identical_outputs"]
                               else f"first divergence at `{report['first_divergence']}`."), "",
             "| split | original | other | same |", "|---|---|---|---|"]
    for split, s in report["scores"].items():
        lines.append(f"| {split} | {s['original']} | {s['other']} | {'yes' if s['same'] else 'NO'} |")
    if report["artefacts"]:
        lines += ["", "Submission files, first against second workspace: "
                  + ", ".join(f"`{name}` {state}" for name, state in report["artefacts"].items()) + "."]
    lines += ["", "| step | outputs |", "|---|---|"]
    lines += [f"| {c['id']} | {'same' if c['same'] else 'DIFFERENT'} |" for c in report["cells"]]
    return "\n".join(lines) + "\n"
