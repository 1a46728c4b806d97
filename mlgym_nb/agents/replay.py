"""The replay agent: plays back the action cells of an episode notebook or a task's reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..episode import load_episode
from ..tasks import TaskSpec
from .base import Action, AgentExit


def episode_actions(path: Path) -> list[Action]:
    """The steps of a recorded episode as Actions (thoughts included), in order."""
    episode = load_episode(path)
    return [Action(cell=cell.source, thought=episode.thought(cell)) for cell, _step in episode.steps]


class ReplayAgent:
    """Replays cells: ``ReplayAgent(episode=path)``, or the task's reference solution by default."""

    def __init__(self, episode: str | Path | None = None) -> None:
        self.episode = Path(episode) if episode else None
        self.actions: list[Action] = []
        self.position = 0

    def reset(self, task: TaskSpec, observation: str) -> None:
        if self.episode is not None:
            self.actions = episode_actions(self.episode)
        else:
            self.actions = [Action(cell=c) for c in task.reference_cells()]
        self.position = 0

    def act(self, observation: str) -> Action:
        if self.position >= len(self.actions):
            raise AgentExit("max_steps", "the replayed cells are exhausted")
        action = self.actions[self.position]
        self.position += 1
        return Action(cell=action.cell, thought=action.thought)

    def describe(self) -> dict[str, Any]:
        source = str(self.episode) if self.episode else "task reference"
        return {"name": "replay", "class": f"{__name__}.ReplayAgent", "source": source}

    def usage(self) -> dict[str, Any]:
        return {"replayed": self.position}
