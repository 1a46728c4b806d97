"""run_episode: the agent loop (query, act, observe), used by the CLI, notebooks and benchmarks."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from ..actions import Action
from ..env import NotebookEnv
from ..errors import KernelDiedError
from .base import Agent, AgentExit


@dataclass
class EpisodeResult:
    """How an episode ended."""

    exit: str
    """One of schema.EXITS."""
    score: float | None
    """The final test score (None when unscored)."""
    status: str
    """The final grading's status: scored, invalid or error."""
    message: str
    """Why it ended, when not by a submission (the agent's or the harness's words)."""
    steps: int
    episode: str
    """Path of the episode notebook."""
    usage: dict[str, Any]


def run_episode(env: NotebookEnv, agent: Agent, seed: int | None = 0,
                on_step: Callable[[dict[str, Any], str], None] | None = None,
                prefix: list[Action] | None = None, prefix_source: str | None = None,
                on_action: Callable[[Action], None] | None = None) -> EpisodeResult:
    """Run one episode to its end; the notebook is saved after every step.

    ``on_action(action)`` is called when a step starts and ``on_step(info, cell)`` when it ends
    (progress display). Exits other than a submit grade the workspace as it is. ``prefix`` (resume,
    fork) is replayed into the fresh kernel first and shown to the agent as its own past turns, then
    the agent takes over.
    """
    obs, info = env.reset(seed=seed)
    recorder = env.recorder
    assert recorder is not None
    recorder.meta.agent = agent.describe()
    agent.reset(env.task, obs)
    exit, message, final = None, "", None
    started = time.monotonic()
    if prefix:
        recorder.meta.resumed_from = {"episode": prefix_source, "steps": len(prefix)}
        for action in prefix:
            replayed = Action(action.cell, action.thought, {"replayed": True})
            if on_action:
                on_action(replayed)
            obs, _reward, terminated, truncated, info = env.step(replayed)
            if hasattr(agent, "observe"):
                agent.observe(action, obs)
            if on_step:
                on_step(info, action.cell)
            if terminated or truncated:
                exit, final = recorder.meta.exit, info.get("grade")
                break
    while exit is None:
        try:
            action = agent.act(obs)
        except AgentExit as stop:
            exit, message = stop.exit, stop.message
            break
        if on_action:
            on_action(action)
        try:
            obs, _reward, terminated, truncated, info = env.step(action)
        except KernelDiedError as err:
            exit, message = "kernel_error", str(err)
            break
        if on_step:
            on_step(info, action.cell)
        if terminated or truncated:
            exit, final = recorder.meta.exit, info.get("grade")
    if final is None:
        final = env.end(exit, message)
    recorder.meta.usage = {**agent.usage(), "wall_seconds": round(time.monotonic() - started, 3)}
    recorder.save()
    return EpisodeResult(exit=exit, score=final.value, status=final.status,
                         message=message or recorder.meta.exit_message, steps=recorder.meta.steps,
                         episode=str(recorder.path), usage=recorder.meta.usage)
