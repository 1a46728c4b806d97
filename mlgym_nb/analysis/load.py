"""Episode notebooks -> tidy pandas tables, read through the episode schema only.

``load_episodes(folder)`` reads every episode notebook below a folder (a sweep, or any folder of
episodes) into four DataFrames: ``episodes`` (one row each), ``steps`` (one row per step cell),
``scores`` (one row per graded snapshot, both splits) and ``problems`` (files that are partial,
corrupt or not episodes: listed, never fatal). Superseded attempts (``*.attempt-N.ipynb``) and
rerun notebooks are left out, and so are episodes graded on stand-in data (listed as problems: their
scores are not real).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..episode import LoadedEpisode, load_episode
from ..errors import EpisodeError
from .metrics import action_kind, best_attempt

REPORT = "report.ipynb"
"""The executed analysis notebook ``mlgym-nb report`` leaves in a sweep folder (not an episode)."""


@dataclass
class EpisodeTables:
    """The tables of a folder of episodes."""

    episodes: pd.DataFrame
    steps: pd.DataFrame
    scores: pd.DataFrame
    problems: pd.DataFrame


def agent_label(meta: Any) -> str:
    """How results name an agent: its sweep label, else its name and model (``llm-gpt-4o``, ``replay``)."""
    agent = meta.agent or {}
    if agent.get("label"):
        return str(agent["label"])
    model = (agent.get("config") or {}).get("model")
    return f"{agent.get('name', 'unknown')}-{model}" if model else str(agent.get("name", "unknown"))


def _rows(episode: LoadedEpisode, relative: str) -> tuple[dict[str, Any], list[dict], list[dict]]:
    meta = episode.meta
    agent = agent_label(meta)
    usage = meta.usage or {}
    base = {"episode": relative, "task": meta.task, "agent": agent, "seed": meta.seed}
    final = next((g for g in reversed(meta.scores) if g.kind != "validate"), None)  # the last submission
    row = {**base, "model": (meta.agent.get("config") or {}).get("model"), "exit": meta.exit,
           "complete": meta.exit is not None, "steps": meta.steps,
           "final_kind": final.kind if final else None, "final_dev": final.dev.value if final else None,
           "final_test": final.test.value if final else None,
           "final_status": final.test.status if final else None,
           "baseline_dev": meta.baseline.get("dev"), "baseline_test": meta.baseline.get("test"),
           "direction": meta.metric.get("direction"), "metric": meta.metric.get("name"),
           "profile_shift": meta.metric.get("profile_shift", 0.0),
           "input_tokens": usage.get("input_tokens"), "output_tokens": usage.get("output_tokens"),
           "cost": usage.get("cost"), "calls": usage.get("calls"), "wall_seconds": usage.get("wall_seconds"),
           "image_id": meta.sandbox.get("image_id"), "sandbox": meta.sandbox.get("kind"),
           "schema_version": meta.schema_version, "started": meta.started, "finished": meta.finished}
    steps = []
    for cell, step in episode.steps:
        agent_step = step.agent
        steps.append({**base, "step": step.step, "kind": step.kind, "status": step.status,
                      "duration": step.duration, "cpu_s": step.usage.cpu_s if step.usage else None,
                      "mem_peak_mb": step.usage.mem_peak_mb if step.usage else None,
                      "input_tokens": agent_step.input_tokens if agent_step else None,
                      "output_tokens": agent_step.output_tokens if agent_step else None,
                      "cost": agent_step.cost if agent_step else None,
                      "format_errors": len(agent_step.format_errors) if agent_step else 0,
                      "replayed": agent_step.replayed if agent_step else False,
                      "action": action_kind(cell.source), "source": cell.source})
    scores = [{**base, "step": g.step, "kind": g.kind, "dev": g.dev.value, "test": g.test.value,
               "dev_status": g.dev.status, "test_status": g.test.status} for g in meta.scores]
    return row, steps, scores


def load_episodes(folder: str | Path) -> EpisodeTables:
    """Read every episode notebook below ``folder`` (or one notebook) into tables."""
    folder = Path(folder)
    paths = [folder] if folder.is_file() else sorted(folder.rglob("*.ipynb"))
    rows, steps, scores, problems = [], [], [], []
    for path in paths:
        relative = str(path.relative_to(folder)) if path != folder else path.name
        if (".attempt-" in path.name or path.name.startswith(".") or ".ipynb_checkpoints" in path.parts
                or path.name == REPORT):
            continue
        try:
            episode = load_episode(path)
        except EpisodeError as exc:
            problems.append({"episode": relative, "problem": str(exc).split(": ", 1)[-1]})
            continue
        if episode.meta.rerun is not None:
            continue
        if any(g.dev.stand_in or g.test.stand_in for g in episode.meta.scores):
            problems.append({"episode": relative, "problem": "graded on stand-in data: its scores are not real"})
            continue
        row, step_rows, score_rows = _rows(episode, relative)
        if not row["complete"]:
            problems.append({"episode": relative, "problem": "incomplete: its driver stopped before the end"})
        rows.append(row)
        steps += step_rows
        scores += score_rows
    episodes = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["episode", "task", "agent", "seed"])
    score_table = pd.DataFrame(scores, columns=["episode", "task", "agent", "seed", "step", "kind", "dev", "test",
                                                "dev_status", "test_status"])
    if len(episodes) and len(score_table):
        directions = dict(zip(episodes["task"], episodes["direction"], strict=True))
        best = best_attempt(score_table, directions)[["episode", "best_step", "best_dev", "best_test"]]
        episodes = episodes.merge(best, on="episode", how="left")
    return EpisodeTables(episodes, pd.DataFrame(steps), score_table,
                         pd.DataFrame(problems, columns=["episode", "problem"]))
