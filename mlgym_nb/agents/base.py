"""The agent contract: an Agent turns observations into Actions; an exit is an exception."""

from __future__ import annotations

from typing import Any, Protocol

from ..actions import Action
from ..schema import EXITS
from ..tasks import TaskSpec

__all__ = ["EXITS", "Action", "Agent", "AgentExit"]


class AgentExit(Exception):
    """The agent cannot or should not go on; ``exit`` is one of schema.EXITS."""

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
