"""The episode notebook: the record of an episode, saved atomically after every step.

Layout (schema version 1): a markdown header, a ``parameters`` cell (papermill), a ``setup``
cell that seeds the kernel's RNGs, then per step an optional markdown cell with the agent's
reasoning (id ``step-NNNN-thought``) and a code cell with the action and its outputs (id
``step-NNNN``). Our data lives under ``metadata.mlgym`` at notebook and cell level.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import platform
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4.rwbase import split_lines
from nbformat.validator import get_validator

from . import __version__
from .tasks import TaskSpec

SCHEMA_VERSION = 1
_VALIDATOR = get_validator(version=4, version_minor=5)
#: Harness actions and the split each scores: validate on dev, submit on the held-out test split.
ACTION_SPLITS = {"%validate": "dev", "%submit": "test"}


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def setup_source() -> str:
    return ("import random\nrandom.seed(seed)\ntry:\n    import numpy\n    numpy.random.seed(seed)\n"
            "except ImportError:\n    pass")


class EpisodeRecorder:
    """Builds one episode notebook and writes it to ``path`` after every change."""

    def __init__(self, path: Path, task: TaskSpec, seed: int | None, meta: dict[str, Any]) -> None:
        self.path = Path(path)
        self.nb = nbformat.v4.new_notebook()
        self.nb.metadata.kernelspec = {"name": task.kernel_name, "display_name": f"mlgym: {task.name}",
                                       "language": "python"}
        self.nb.metadata.language_info = {"name": "python"}
        self.nb.metadata.mlgym = {
            "schema_version": SCHEMA_VERSION, "task": task.id, "seed": seed, "status": "running",
            "exit_status": None, "exit": None, "started": now(), "finished": None, "steps": 0, "scores": [],
            "metric": task.metric.model_dump(), "baseline": dict(task.baseline),
            "versions": {"mlgym_nb": __version__, "python": platform.python_version()}, **meta,
        }
        self.task = task
        header = nbformat.v4.new_markdown_cell(self._header(), id="header")
        params = nbformat.v4.new_code_cell(f"task = {task.id!r}\nseed = {seed if seed is not None else 0}",
                                           id="parameters")
        params.metadata.tags = ["parameters"]
        setup = nbformat.v4.new_code_cell(setup_source(), id="setup")
        self.nb.cells = [header, params, setup]
        self._cell_json: list[str] = []  # serialised cells, reused by save(); only appended cells are new

    @property
    def meta(self) -> dict[str, Any]:
        return self.nb.metadata.mlgym

    def record_setup(self, cell_id: str, outputs: list, execution_count: int | None) -> None:
        cell = next(c for c in self.nb.cells if c.get("id") == cell_id)
        cell.outputs, cell.execution_count = outputs, execution_count
        self._cell_json.clear()
        self.save()

    def record_step(self, step: int, source: str, thought: str | None, outputs: list,
                    execution_count: int | None, info: dict[str, Any]) -> None:
        """Append one step (reasoning + action) and save."""
        if thought:
            self.nb.cells.append(nbformat.v4.new_markdown_cell(thought, id=f"step-{step:04d}-thought"))
        cell = nbformat.v4.new_code_cell(source, id=f"step-{step:04d}")
        cell.outputs, cell.execution_count = outputs, execution_count
        cell.metadata.mlgym = {"step": step, **info}
        if info.get("kind") in ("validate", "submit"):
            cell.metadata.tags = [f"mlgym-{info['kind']}"]
        elif info.get("status") != "ok":
            cell.metadata.tags = ["raises-exception"]  # nbclient and papermill run past it on re-execution
        self.nb.cells.append(cell)
        self.meta["steps"] = step
        self.save()

    def _header(self) -> str:
        """The first cell: what the episode is, and once it is over how it ended and what it scored."""
        meta, task = self.nb.metadata.get("mlgym", {}), self.task
        lines = [f"# {task.name}", "", f"Task `{task.id}`, seed {meta.get('seed')}, agent "
                 f"`{meta.get('agent', {}).get('name', '?')}`. Each step is the agent's reasoning (markdown) "
                 "and its action (code)."]
        if meta.get("exit_status"):
            lines += ["", f"**Ended:** {meta['exit_status']} after {meta.get('steps', 0)} steps.", "",
                      f"| step | kind | split | {task.metric.name} | baseline |", "|---|---|---|---|---|"]
            for s in meta.get("scores", []):
                value = s["value"] if s["status"] == "scored" else s["status"]
                baseline = task.baseline.get(s["split"], "")
                lines.append(f"| {s['step']} | {s['kind']} | {s['split']} | {value} | {baseline} |")
        return "\n".join(lines)

    def finish(self, exit_status: str, status: str = "finished", exit: str | None = None) -> None:
        """Record how the episode ended: ``exit`` is one of agents.base.EXITS, ``exit_status`` in words."""
        self.meta.update(exit_status=exit_status, exit=exit, status=status, finished=now())
        self.nb.cells[0].source = self._header()  # the outcome at the top, for readers and nbconvert
        self._cell_json.clear()
        nbformat.validate(self.nb)  # the whole notebook, once; save() checks each cell as it comes
        self.save()

    def save(self) -> None:
        """Write atomically: a crash mid-write leaves the previous version intact.

        Produces the same text as ``nbformat.writes`` but serialises and validates each cell
        once, when it is added, so a step costs the same at step 500 as at step 5.
        """
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

