"""The episode schema: what an episode notebook records under ``metadata.mlgym``, typed and versioned.

One model per concept: ``Score`` (one grading of one split), ``Usage`` (resources of one cell),
``AgentStep`` (the agent's cost of one step), ``Step`` (a step cell's ``metadata.mlgym``),
``Graded`` (a graded step in the notebook's score list) and ``Episode`` (the notebook's
``metadata.mlgym``). ``docs/episode.schema.json`` is generated from them (``mlgym-nb schema >
docs/episode.schema.json``; a test keeps it current). The schema changes only with a version bump;
``read_episode`` / ``read_step`` still read older notebooks (version 3 added ``Score.stand_in``;
version 2 is version 3 without it).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 3

#: Why an episode ended, a closed set. All but ``submitted`` and ``interrupted`` grade the workspace as it is
#: (an autosubmission); ``stopped``: a person stopped it; ``interrupted`` (closed, reset or killed before the
#: end) grades nothing.
EXITS = ("submitted", "max_steps", "time", "cost", "context", "format", "repetition", "api_error", "kernel_error",
         "stopped", "interrupted")
Exit = Literal["submitted", "max_steps", "time", "cost", "context", "format", "repetition", "api_error",
               "kernel_error", "stopped", "interrupted"]
Split = Literal["dev", "test"]


def now() -> str:
    """The current time as the schema records it: ISO 8601, UTC, milliseconds."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Score(_Model):
    """One grading of a submission snapshot on one split."""

    split: Split
    """``dev`` (what %validate shows) or ``test`` (what %submit shows)."""
    value: float | None = None
    """The task's primary metric; None when unscored."""
    status: Literal["scored", "invalid", "error"] = "scored"
    """``invalid``: the submission is missing, malformed, or its code failed; ``error``: the grader failed."""
    message: str = ""
    """Why there is no score, in words."""
    metrics: dict[str, float] = {}
    """Every number the grader reported."""
    duration: float = 0.0
    """Seconds the grading took."""
    submission: dict[str, str] = {}
    """sha256 of each submission file graded, by its path in the workspace."""
    isolated: bool | None = None
    """Whether submitted code ran in a process that could not reach the scorer (None: no code was run)."""
    stand_in: bool | None = None
    """True when the task's data was a synthetic stand-in (tests): the value is not a real score."""

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        return None if value is None or math.isnan(value) else value


class Usage(_Model):
    """Resources one cell used in the kernel's sandbox."""

    source: str = "unavailable"
    """Where the numbers come from (``cgroup v1``, ``cgroup v2``) or ``unavailable``."""
    cpu_s: float | None = None
    mem_peak_mb: float | None = None
    mem_scope: str | None = None
    """What the peak covers: ``cell``, ``since start`` (cgroups that cannot reset it) or ``current``."""


class AgentStep(BaseModel):
    """What the agent spent on one step (free-form extras allowed: memory calls, tool names)."""

    model_config = ConfigDict(extra="allow")

    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = 0.0
    """USD; None when the model's price is unknown."""
    calls: int = 0
    model_seconds: float = 0.0
    format_errors: list[str] = []
    repeats: int = 0
    """Times the agent was told it repeated its previous action on the same output."""
    replayed: bool = False
    """The step was replayed from another episode (resume, fork, replay agent)."""
    edited: bool = False
    """A person edited or replaced the agent's proposed cell before it ran."""


class Step(_Model):
    """``metadata.mlgym`` of a step cell."""

    step: int
    kind: Literal["cell", "validate", "submit"]
    status: Literal["ok", "error", "timeout", "died", "scored", "invalid"]
    """A cell's outcome, or a grading's (``scored``, ``invalid``; a failed grader is ``invalid`` here, its
    score says ``error``)."""
    started: str
    """ISO time (UTC) the step started."""
    duration: float
    usage: Usage | None = None
    notes: list[str] = []
    """What the harness did or cut: truncations, interrupts, restarts, deaths."""
    scores: dict[str, Score] = {}
    """validate / submit: the snapshot's score on each split."""
    agent: AgentStep | None = None


class Graded(_Model):
    """One graded snapshot in the episode's score list."""

    step: int
    kind: Literal["validate", "submit", "autosubmit"]
    dev: Score
    test: Score


class Episode(_Model):
    """``metadata.mlgym`` of an episode notebook."""

    schema_version: int = SCHEMA_VERSION
    task: str
    task_root: str | None = None
    """The task folder, so that a rerun finds tasks outside the project."""
    seed: int | None = None
    agent: dict[str, Any] = {}
    """Name, class and config of the agent."""
    sandbox: dict[str, Any] = {}
    """Backend, image id, resource limits."""
    workspace: str | None = None
    """The workspace folder next to the notebook."""
    limits: dict[str, int | float] = {}
    metric: dict[str, Any] = {}
    baseline: dict[str, float] = {}
    versions: dict[str, str] = {}
    started: str
    finished: str | None = None
    exit: Exit | None = None
    """Why it ended; None while it runs (or if its driver was killed)."""
    exit_message: str = ""
    steps: int = 0
    scores: list[Graded] = []
    usage: dict[str, Any] = {}
    """The agent's totals (tokens, cost, calls) and the episode's wall_seconds."""
    resumed_from: dict[str, Any] | None = None
    rerun: dict[str, Any] | None = None
    """The divergence report, in notebooks written by ``mlgym-nb rerun``."""
    extra: dict[str, Any] = Field(default_factory=dict)
    """Anything a driver adds (sweep spec, attempt number)."""

    @property
    def exit_status(self) -> str:
        """MLGym's words for the exit: ``submitted`` or ``autosubmission (<exit>)``."""
        if self.exit is None:
            return "running or incomplete"
        return self.exit if self.exit in ("submitted", "interrupted") else f"autosubmission ({self.exit})"


def _v1_score(entry: dict[str, Any]) -> Score:
    fields = {k: entry[k] for k in ("split", "value", "status", "message", "metrics", "duration") if k in entry}
    return Score(**fields)


def read_step(meta: dict[str, Any]) -> Step:
    """A step cell's ``metadata.mlgym`` as a Step, from any schema version."""
    if "score" in meta and "scores" not in meta:  # version 1: one score per graded cell
        meta = {**meta, "scores": {meta["score"]["split"]: _v1_score(meta["score"]).model_dump()}}
    fields = {k: v for k, v in meta.items() if k in Step.model_fields}
    if fields.get("kind") in ("validate", "submit") and fields.get("status") not in ("scored", "invalid"):
        fields["status"] = "invalid"  # version 1 recorded a failed grader's status, ``error``
    return Step(**fields)


def read_episode(meta: dict[str, Any]) -> Episode:
    """A notebook's ``metadata.mlgym`` as an Episode, from any schema version.

    Raises pydantic.ValidationError when the metadata does not fit its version.
    """
    if meta.get("schema_version", 1) >= 2:
        return Episode(**meta)
    exit = meta.get("exit") or ("interrupted" if meta.get("status") == "interrupted" else None)
    graded = []
    for entry in meta.get("scores", []):  # version 1: one entry per split graded
        score = _v1_score(entry)
        kind = entry.get("kind", "validate")
        empty = Score(split="test" if score.split == "dev" else "dev", status="error", message="not graded")
        dev, test = (score, empty) if score.split == "dev" else (empty, score)
        graded.append(Graded(step=entry.get("step", 0), kind=kind, dev=dev, test=test))
    known = {k: meta[k] for k in ("task", "seed", "agent", "sandbox", "workspace", "limits", "metric", "baseline",
                                  "versions", "started", "finished", "exit_message", "steps", "usage",
                                  "resumed_from", "rerun") if meta.get(k) is not None}
    return Episode(**{**known, "schema_version": 1, "exit": exit, "scores": graded})


def json_schema() -> dict[str, Any]:
    """The JSON Schema of notebook and step-cell metadata (docs/episode.schema.json)."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "mlgym_nb episode notebook metadata",
            "description": f"metadata.mlgym of an episode notebook and of its step cells, schema version "
                           f"{SCHEMA_VERSION}",
            "$defs": {"Episode": Episode.model_json_schema(), "Step": Step.model_json_schema()}}

