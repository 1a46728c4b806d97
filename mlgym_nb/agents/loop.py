"""run_episode: the agent loop (query, act, observe), used by the CLI, notebooks and benchmarks."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from ..env import NotebookEnv
from ..errors import KernelDiedError
from .base import Action, Agent, AgentExit


@dataclass
class EpisodeResult:
    """How an episode ended."""

    exit: str
    """One of agents.base.EXITS."""
    score: float | None
    """The final test score (None when unscored)."""
    steps: int
    episode: str
    """Path of the episode notebook."""
    usage: dict[str, Any]


def run_episode(env: NotebookEnv, agent: Agent, seed: int | None = 0,
                on_step: Callable[[dict[str, Any], str], None] | None = None,
                prefix: list[Action] | None = None, prefix_source: str | None = None) -> EpisodeResult:
    """Run one episode to its end; the notebook is saved after every step.

    ``on_step(info, cell)`` is called after each step (progress printing). Exits other than a
    submit grade the workspace as it is. ``prefix`` (resume, fork) is replayed into the fresh
    kernel first and shown to the agent as its own past turns, then the agent takes over.
    """
    obs, info = env.reset(seed=seed)
    assert env.recorder is not None
    env.recorder.meta["agent"] = agent.describe()
    agent.reset(env.task, obs)
    exit, final = None, None
    started = time.monotonic()
    if prefix:
        env.recorder.meta["resumed_from"] = {"episode": prefix_source, "steps": len(prefix)}
        for action in prefix:
            obs, _reward, terminated, truncated, info = env.step(action.cell, thought=action.thought,
                                                                 meta={"replayed": True})
            if hasattr(agent, "observe"):
                agent.observe(action, obs)
            if on_step:
                on_step(info, action.cell)
            if terminated or truncated:
                exit, final = ("submitted" if terminated else env.recorder.meta["exit"]), info.get("grade")
                break
    while exit is None:
        try:
            action = agent.act(obs)
        except AgentExit as stop:
            exit = stop.exit
            env.recorder.meta["exit_message"] = stop.message
            break
        try:
            obs, _reward, terminated, truncated, info = env.step(action.cell, thought=action.thought,
                                                                 meta=action.meta)
        except KernelDiedError as err:
            exit = "kernel_error"
            env.recorder.meta["exit_message"] = str(err)
            break
        if on_step:
            on_step(info, action.cell)
        if terminated:
            exit, final = "submitted", info.get("grade")
        elif truncated:
            exit, final = env.recorder.meta["exit"], info.get("grade")
    if final is None:
        final = env.end(exit).as_dict()
    env.recorder.meta["usage"] = {**agent.usage(), "wall_seconds": round(time.monotonic() - started, 3)}
    env.recorder.save()
    return EpisodeResult(exit=exit, score=final.get("value"), steps=env.recorder.meta["steps"],
                         episode=str(env.recorder.path), usage=env.recorder.meta["usage"])
