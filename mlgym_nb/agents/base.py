"""The agent contract: an Agent turns observations into Actions; an exit is an exception."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..tasks import TaskSpec

#: Why an episode ended: a closed set, recorded as ``metadata.mlgym.exit`` in the notebook.
EXITS = ("submitted", "max_steps", "time", "cost", "context", "format", "api_error", "kernel_error")


@dataclass
class Action:
    """One move of an agent: a cell to run (``%validate`` and ``%submit`` included)."""

    cell: str
    """Source of the cell; ``%validate`` or ``%submit`` for those actions."""
    thought: str = ""
    """The reasoning that came with it, recorded as a markdown cell above the action."""
    meta: dict[str, Any] = field(default_factory=dict)
    """Per-step usage (tokens, cost, model latency, retries) recorded in the cell's metadata."""


class AgentExit(Exception):
    """The agent cannot or should not go on; ``exit`` is one of EXITS."""

    def __init__(self, exit: str, message: str) -> None:
        assert exit in EXITS, exit
        super().__init__(f"{exit}: {message}")
        self.exit = exit
        self.message = message


class Agent(Protocol):
    """What NotebookEnv's driver (``run_episode``) needs of an agent."""

    def reset(self, task: TaskSpec, observation: str) -> None:
        """Start a new episode on ``task``; ``observation`` is the env's task prompt."""

    def act(self, observation: str) -> Action:
        """The next action given the last observation. Raises AgentExit to stop."""

    def describe(self) -> dict[str, Any]:
        """Name, class and config, recorded in the episode notebook."""

    def usage(self) -> dict[str, Any]:
        """Totals so far: tokens, cost, model calls (empty if not applicable)."""
