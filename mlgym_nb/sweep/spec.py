"""A sweep's unit of work: EpisodeSpec (task, agent, model, seed, limits), the grid, and an episode's summary.

Agents: ``replay`` (the task's reference, or ``--replay`` an episode), and ``llm`` and ``mlab``
(MLAgentBench's research agent) with a model:
``local`` (the embedded model, served once by the sweep), any name an OpenAI-compatible endpoint
knows, or ``scripted:FILE`` (a JSON list of replies: a scripted model, for tests and teaching).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..episode import LoadedEpisode
from ..errors import MlgymError


class EpisodeSpec(BaseModel):
    """One episode of a sweep."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task: str
    agent: str = Field("llm", pattern="^(llm|mlab|replay)$")
    model: str | None = None
    """For ``llm``: ``local``, an endpoint's model name, or ``scripted:FILE``."""
    seed: int = 0
    max_steps: int | None = None
    sandbox: str = "auto"
    base_url: str | None = None
    """The endpoint of ``model`` (the sweep fills in the embedded server's for ``local``)."""
    options: dict[str, Any] = {}
    """More LLM agent settings (tools, max_cost, max_tokens, price_in, price_out, ...)."""

    @property
    def label(self) -> str:
        """The agent as the results name it: ``replay``, ``llm-local``, ``llm-gpt-4o-mini``."""
        if self.agent == "replay":
            return "replay"
        model = self.model or "local"
        if model.startswith("scripted:"):
            model = "scripted-" + Path(model.split(":", 1)[1]).stem
        return f"{self.agent}-" + re.sub(r"[^A-Za-z0-9._-]+", "_", model)

    @property
    def key(self) -> str:
        """Where the episode lives in the sweep folder, without the suffix: ``<task>/<label>/s<seed>``."""
        return f"{self.task}/{self.label}/s{self.seed}"


def parse_seeds(text: str) -> list[int]:
    """``0-4`` -> [0..4]; ``1,3,7`` -> [1, 3, 7]; ``5`` -> [0..4] (a count)."""
    seeds: list[int] = []
    try:
        if "," not in text and "-" not in text:
            return list(range(int(text)))
        for part in text.split(","):
            low, _, high = part.partition("-")
            seeds += list(range(int(low), int(high) + 1)) if high else [int(low)]
    except ValueError:
        raise MlgymError(f"--seeds {text!r}: expected a count (5), a range (0-4) or a list (1,3,7)") from None
    return seeds


def grid(tasks: list[str], agents: list[str], models: list[str], seeds: list[int], **common: Any) -> list[EpisodeSpec]:
    """Every task x agent (x model, for llm) x seed."""
    pairs = [(agent, model) for agent in agents for model in (models if agent != "replay" else [None])]
    return [EpisodeSpec(task=t, agent=a, model=m, seed=s, **common) for t in tasks for a, m in pairs for s in seeds]


def summarize(episode: LoadedEpisode, spec: EpisodeSpec, attempt: int = 1) -> dict[str, Any]:
    """One line of the sweep's index (results.jsonl), read from the notebook through the schema."""
    meta = episode.meta
    final = next((g for g in reversed(meta.scores) if g.kind != "validate"), None)  # the last submission
    best = None
    sign = 1 if meta.metric.get("direction", "maximize") == "maximize" else -1
    for graded in meta.scores:  # the attempt with the best dev score; test is never looked at to choose
        if graded.dev.value is not None and (best is None or sign * graded.dev.value > sign * best.dev.value):
            best = graded
    return {
        "key": spec.key, "spec": spec.model_dump(exclude_none=True), "episode": f"{spec.key}.ipynb",
        "exit": meta.exit, "exit_message": meta.exit_message, "steps": meta.steps, "attempt": attempt,
        "final": {"kind": final.kind, "dev": final.dev.value, "test": final.test.value,
                  "status": final.test.status} if final else None,
        "best": {"step": best.step, "dev": best.dev.value, "test": best.test.value} if best else None,
        "baseline": meta.baseline, "usage": meta.usage, "image_id": meta.sandbox.get("image_id"),
        "sandbox": meta.sandbox.get("kind"), "started": meta.started, "finished": meta.finished,
    }
