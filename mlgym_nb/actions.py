"""What one step does: run a cell in the task's kernel, or grade the workspace (%validate, %submit).

``execute_step`` is shared by ``NotebookEnv.step`` and the rerun engine, so a step is recorded the
same way whether an agent takes it or a rerun replays it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from .grading import as_output, grade_splits, summary
from .kernel import KernelSession
from .schema import Score, Step, Usage, now
from .tasks import TaskSpec

#: The harness actions and the split each shows: validate the dev split, submit the held-out test split.
ACTION_SPLITS = {"validate": "dev", "submit": "test"}


def harness_action(source: str) -> str | None:
    """``validate`` or ``submit`` when the cell's only line, comments and blank lines aside, is that magic."""
    lines = [line.strip() for line in source.splitlines()]
    code = [line for line in lines if line and not line.startswith("#")]
    if len(code) == 1 and code[0] in ("%validate", "%submit"):
        return code[0][1:]
    return None


@dataclass
class Action:
    """One move in an episode: a cell to run (``%validate`` and ``%submit`` included).

    ``NotebookEnv.step`` takes an Action or the cell source as a str; an Action carries the
    reasoning and the agent's usage through gymnasium wrappers, which pass only the action on.
    """

    cell: str
    """Source of the cell; ``%validate`` or ``%submit`` for those actions."""
    thought: str = ""
    """The reasoning that came with it, recorded as a markdown cell above the action."""
    meta: dict[str, Any] = field(default_factory=dict)
    """The agent's cost of the step (schema.AgentStep fields: tokens, cost, latency, retries...)."""


@dataclass
class StepResult:
    """A step's outputs, its record, and what the agent sees."""

    record: Step
    outputs: list[Any]
    execution_count: int | None
    observation: str
    scores: dict[str, Score] = field(default_factory=dict)

    @property
    def shown(self) -> Score | None:
        """The score the agent sees: dev for validate, test for submit."""
        kind = self.record.kind
        return self.scores.get(ACTION_SPLITS[kind]) if kind in ACTION_SPLITS else None


def execute_step(session: KernelSession, task: TaskSpec, source: str, number: int, sandbox: str,
                 cell_timeout: float, output_limit: int = 4000,
                 on_output: Callable[[str, str], None] | None = None) -> StepResult:
    """Run step ``number``: grade a snapshot for %validate / %submit, else run the cell in ``session``."""
    started, clock = now(), time.monotonic()
    kind = harness_action(source)
    if kind is not None:
        scores = grade_splits(task, session.workspace, sandbox=sandbox)
        shown = scores[ACTION_SPLITS[kind]]
        output = as_output(shown, task)
        record = Step(step=number, kind=kind, status="scored" if shown.status == "scored" else "invalid",
                      started=started, duration=round(time.monotonic() - clock, 3), scores=scores)
        return StepResult(record, [output], None, summary(shown, task) + "\n", scores)
    result = session.run(source, timeout=cell_timeout, on_output=on_output)
    record = Step(step=number, kind="cell", status=result.status, started=started,
                  duration=round(time.monotonic() - clock, 3), usage=Usage(**result.usage), notes=result.notes)
    return StepResult(record, result.outputs, result.execution_count, result.text(output_limit))
