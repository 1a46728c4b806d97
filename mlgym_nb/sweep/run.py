"""One episode of a sweep, run in this process: the agent made from its spec, the notebook at a given path.

Every executor ends here (a local worker process, a Ray task), so an episode is the same wherever
it runs. An episode whose notebook exists but did not finish (its driver was killed) is resumed:
the old notebook and workspace move aside as ``attempt-N``, their steps are replayed into a fresh
kernel, and the agent takes over.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..agents import LLMAgent, ReplayAgent, ScriptedModel, agent_config, run_episode
from ..agents.base import Agent
from ..agents.mlab import ResearchAgent
from ..agents.replay import episode_actions
from ..env import NotebookEnv
from ..episode import load_episode
from ..errors import EpisodeError, MlgymError
from ..tasks import load_task
from ..workspace import reap_workspaces
from .spec import EpisodeSpec, summarize


def make_agent(spec: EpisodeSpec) -> Agent:
    """The agent a spec names."""
    if spec.agent == "replay":
        return ReplayAgent(spec.options.get("replay"))
    kind = ResearchAgent if spec.agent == "mlab" else LLMAgent
    model_name = spec.model or "local"
    if model_name.startswith("scripted:"):
        path = Path(model_name.split(":", 1)[1])
        try:
            replies = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise MlgymError(f"{path}: not a JSON list of scripted replies ({exc})") from None
        config = agent_config("scripted", memory=False, **spec.options)
        return kind(config, model=ScriptedModel([str(r) for r in replies]))
    return kind(agent_config(model_name, base_url=spec.base_url, memory=False, **spec.options))


def _set_aside(path: Path) -> tuple[Path | None, int]:
    """Move an unfinished episode (notebook, workspace) aside; returns the moved notebook, if any, and this
    attempt's number."""
    reap_workspaces()  # a killed attempt's live workspace becomes a folder first
    earlier = len({p.name.split(".")[1] for p in path.parent.glob(f"{path.stem}.attempt-*")})
    workspace = path.with_suffix(".workspace")
    if not path.exists() and not (workspace.exists() or workspace.is_symlink()):
        return None, earlier + 1
    moved = path.with_name(f"{path.stem}.attempt-{earlier + 1}.ipynb")
    if workspace.exists() or workspace.is_symlink():
        workspace.rename(moved.with_suffix(".workspace"))
    if not path.exists():  # stopped before its notebook was written: nothing to replay
        return None, earlier + 2
    path.rename(moved)
    return moved, earlier + 2


def run_spec(spec: EpisodeSpec, path: Path, attempt: int | None = None) -> dict[str, Any]:
    """Run (or resume) the episode of ``spec`` into the notebook ``path``; returns its summary line."""
    path = Path(path)
    task = load_task(spec.task)
    previous, tried = _set_aside(path)
    prefix = None
    if previous is not None:
        try:
            prefix = episode_actions(previous)
        except EpisodeError:
            prefix = None  # unreadable: start afresh, the old file stays for inspection
    env = NotebookEnv(task, sandbox=spec.sandbox, episode=path, max_steps=spec.max_steps,
                      agent={"name": spec.label})
    try:
        source = str(previous) if prefix else None
        run_episode(env, make_agent(spec), seed=spec.seed, prefix=prefix, prefix_source=source)
        if env.recorder is not None:
            env.recorder.meta.agent["label"] = spec.label
            env.recorder.meta.extra.update({"sweep": spec.key, "attempt": attempt or tried})
            env.recorder.save()
    finally:
        env.close()
    return summarize(load_episode(path), spec, attempt or tried)

