"""The episode notebook: the record of an episode, written by one writer and read through the schema.

Layout: a markdown header, a ``parameters`` cell (papermill), a ``setup`` cell that seeds the
kernel's RNGs, then per step an optional markdown cell with the agent's reasoning (id
``step-NNNN-thought``) and a code cell with the action and its outputs (id ``step-NNNN``). Our data
lives under ``metadata.mlgym`` at notebook and cell level, as ``schema.Episode`` and ``schema.Step``.
``EpisodeRecorder`` writes it atomically after every step; ``load_episode`` reads it back.
"""

from __future__ import annotations

import copy
import json
import os
import platform
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import nbformat
import pydantic
from nbformat.v4.rwbase import rejoin_lines, split_lines
from nbformat.validator import get_validator

from .errors import EpisodeError
from .schema import Episode, Graded, Score, Step, now, read_episode, read_step
from .tasks import TaskSpec

_VALIDATOR = get_validator(version=4, version_minor=5)


def _version() -> str:
    try:
        return version("mlgym_nb")
    except PackageNotFoundError:
        return "unknown"


def setup_source() -> str:
    return ("import random\nrandom.seed(seed)\ntry:\n    import numpy\n    numpy.random.seed(seed)\n"
            "except ImportError:\n    pass")


def header_text(meta: Episode, task_name: str, metric: str) -> str:
    """The first cell: what the episode is, and once it is over how it ended and what it scored."""
    lines = [f"# {task_name}", "", f"Task `{meta.task}`, seed {meta.seed}, agent `{meta.agent.get('name', '?')}`. "
             "Each step is the agent's reasoning (markdown) and its action (code)."]
    if meta.exit is not None:
        lines += ["", f"**Ended:** {meta.exit_status} after {meta.steps} steps.", "",
                  f"| step | kind | dev {metric} | test {metric} |", "|---|---|---|---|"]
        for graded in meta.scores:
            cells = [str(s.value) if s.status == "scored" else s.status for s in (graded.dev, graded.test)]
            lines.append(f"| {graded.step} | {graded.kind} | {cells[0]} | {cells[1]} |")
        lines += ["", f"Baseline: {', '.join(f'{k} {v:g}' for k, v in meta.baseline.items()) or 'none'}."]
    lines += ["", "*This header describes the recorded run. If the notebook was re-executed with plain papermill, the "
                  "seed it ran with is in the parameters cell below and its cells hold the new outputs, while this "
                  "header and the scores in the metadata are the recording's; `mlgym-nb rerun` rewrites both.*"]
    return "\n".join(lines)


class EpisodeRecorder:
    """Builds one episode notebook and writes it to ``path`` after every change."""

    def __init__(self, path: Path, task: TaskSpec, seed: int, **fields: Any) -> None:
        self.path = Path(path)
        self.task = task
        self.meta = Episode(task=task.id, task_root=str(task.root), seed=seed, started=now(),
                            metric=task.metric.model_dump(), baseline=dict(task.baseline),
                            versions={"mlgym_nb": _version(), "python": platform.python_version()}, **fields)
        self.nb = nbformat.v4.new_notebook()
        self.nb.metadata.kernelspec = {"name": task.kernel_name, "display_name": f"mlgym: {task.name}",
                                       "language": "python"}
        self.nb.metadata.language_info = {"name": "python"}
        header = nbformat.v4.new_markdown_cell(self._header(), id="header")
        params = nbformat.v4.new_code_cell(f"task = {task.id!r}\nseed = {seed}", id="parameters")
        params.metadata.tags = ["parameters"]
        setup = nbformat.v4.new_code_cell(setup_source(), id="setup")
        self.nb.cells = [header, params, setup]
        self._cell_json: list[str] = []  # serialised cells, reused by save(); only appended cells are new

    def _header(self) -> str:
        return header_text(self.meta, self.task.name, self.task.metric.name)

    def record_setup(self, cell_id: str, outputs: list, execution_count: int | None) -> None:
        cell = next(c for c in self.nb.cells if c.get("id") == cell_id)
        cell.outputs, cell.execution_count = outputs, execution_count
        self._cell_json.clear()
        self.save()

    def record_step(self, step: Step, source: str, thought: str | None, outputs: list,
                    execution_count: int | None) -> None:
        """Append one step (reasoning + action) and save."""
        number = step.step
        if thought:
            self.nb.cells.append(nbformat.v4.new_markdown_cell(thought, id=f"step-{number:04d}-thought"))
        cell = nbformat.v4.new_code_cell(source, id=f"step-{number:04d}")
        cell.outputs, cell.execution_count = outputs, execution_count
        cell.metadata.mlgym = step.model_dump(mode="json", exclude_none=True)
        if step.kind in ("validate", "submit"):
            cell.metadata.tags = [f"mlgym-{step.kind}"]
        elif step.status != "ok":
            cell.metadata.tags = ["raises-exception"]  # nbclient and papermill run past it on re-execution
        self.nb.cells.append(cell)
        self.meta.steps = number
        if step.kind != "cell":
            self.add_scores(number, step.kind, step.scores)
        self.save()

    def add_scores(self, number: int, kind: str, scores: dict[str, Score]) -> None:
        """Add a graded snapshot to the episode's score list (validate, submit, autosubmit)."""
        self.meta.scores.append(Graded(step=number, kind=kind, dev=scores["dev"], test=scores["test"]))

    def finish(self, exit: str, message: str = "") -> None:
        """Record how the episode ended (one of schema.EXITS) and put the outcome in the header."""
        self.meta.exit, self.meta.finished = exit, now()
        if message:
            self.meta.exit_message = message
        self.nb.cells[0].source = self._header()  # the outcome at the top, for readers and nbconvert
        self._cell_json.clear()
        self.save()
        nbformat.validate(self.nb)  # the whole notebook, once; save() checks each cell as it comes

    def save(self) -> None:
        """Write atomically: a crash mid-write leaves the previous version intact.

        Produces the same text as ``nbformat.writes`` but serialises and validates each cell
        once, when it is added, so a step costs the same at step 500 as at step 5.
        """
        self.nb.metadata.mlgym = self.meta.model_dump(mode="json", exclude_none=True)
        new = self.nb.cells[len(self._cell_json):]
        probe = nbformat.v4.new_notebook(cells=new, metadata=self.nb.metadata)
        _VALIDATOR.validate(probe)  # the schema check alone; nbformat.validate also copies and repairs
        for cell in new:
            lines = split_lines(nbformat.NotebookNode(cells=[copy.deepcopy(cell)])).cells[0]
            text = json.dumps(lines, sort_keys=True, indent=1, ensure_ascii=False)
            self._cell_json.append("\n".join("  " + line for line in text.splitlines()))
        meta = json.dumps(self.nb.metadata, sort_keys=True, indent=1, ensure_ascii=False)
        meta = "\n".join((" " + line) if i else line for i, line in enumerate(meta.splitlines()))
        cells = ",\n".join(self._cell_json)
        text = (f'{{\n "cells": [\n{cells}\n ],\n "metadata": {meta},\n "nbformat": {self.nb.nbformat},\n'
                f' "nbformat_minor": {self.nb.nbformat_minor}\n}}\n')
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.write_text(text)
        os.replace(tmp, self.path)


@dataclass
class LoadedEpisode:
    """An episode notebook read back: the notebook, its typed metadata, and its step cells."""

    path: Path
    nb: nbformat.NotebookNode
    meta: Episode
    steps: list[tuple[Any, Step]]
    """(cell, its Step record) for each step cell, in order."""

    def thought(self, cell: Any) -> str:
        """The reasoning recorded above a step cell ('' if none)."""
        wanted = f"{cell.id}-thought"
        return next((c.source for c in self.nb.cells if c.get("id") == wanted), "")


def load_episode(path: str | Path) -> LoadedEpisode:
    """Read an episode notebook (schema 1 or 2). Raises EpisodeError naming the file and what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise EpisodeError(f"{path}: no such episode notebook")
    try:  # JSON and the schema, without nbformat's full validation: analysis reads thousands of these
        raw_nb = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise EpisodeError(f"{path}: not a readable notebook ({str(exc).splitlines()[0][:200]})") from None
    if not isinstance(raw_nb, dict) or raw_nb.get("nbformat") != 4 or not isinstance(raw_nb.get("cells"), list):
        raise EpisodeError(f"{path}: not a notebook in nbformat 4")
    nb = rejoin_lines(nbformat.from_dict(raw_nb))
    raw = nb.get("metadata", {}).get("mlgym") if isinstance(nb.get("metadata"), dict) else None
    if not isinstance(raw, dict):
        raise EpisodeError(f"{path}: not an mlgym episode (no metadata.mlgym)")
    try:
        meta = read_episode(dict(raw))
        steps = [(c, read_step(dict(c.metadata.get("mlgym", {})))) for c in nb.cells
                 if c.get("cell_type") == "code" and str(c.get("id", "")).startswith("step-")]
    except (pydantic.ValidationError, KeyError, TypeError, AttributeError) as exc:
        first = str(exc).splitlines()[0][:200]
        raise EpisodeError(f"{path}: its mlgym metadata does not fit the episode schema ({first})") from None
    return LoadedEpisode(path, nb, meta, steps)
