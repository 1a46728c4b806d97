"""The episode schema: round trips, the version-1 reader, and the published JSON Schema (no Docker needed)."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from mlgym_nb.schema import SCHEMA_VERSION, Episode, Graded, Score, Step, json_schema, read_episode, read_step

DOCS = Path(__file__).resolve().parents[1] / "docs" / "episode.schema.json"

V1_EPISODE = {
    "schema_version": 1, "task": "prisoners_dilemma", "seed": 0, "status": "finished", "exit_status": "submitted",
    "exit": "submitted", "started": "2026-11-25T01:00:00.000+00:00", "finished": "2026-11-25T01:01:00.000+00:00",
    "steps": 3, "metric": {"name": "score", "direction": "maximize", "tolerance": 0.02},
    "baseline": {"dev": 2.341, "test": 2.409}, "versions": {"mlgym_nb": "0.1.0"}, "agent": {"name": "replay"},
    "scores": [{"step": 2, "kind": "validate", "split": "dev", "value": 2.397, "status": "scored", "message": "",
                "metrics": {"score": 2.397}, "duration": 1.0},
               {"step": 3, "kind": "submit", "split": "test", "value": 2.509, "status": "scored", "message": "",
                "metrics": {"score": 2.509}, "duration": 1.2}],
}


def test_the_published_json_schema_is_current():
    assert json.loads(DOCS.read_text()) == json_schema(), "run: mlgym-nb schema > docs/episode.schema.json"


def test_episode_round_trip():
    score = Score(split="dev", value=1.5, metrics={"score": 1.5}, submission={"a.py": "00"}, isolated=True)
    test = score.model_copy(update={"split": "test"})
    meta = Episode(task="t", seed=3, started="now", exit="max_steps",
                   scores=[Graded(step=1, kind="autosubmit", dev=score, test=test)])
    again = read_episode(json.loads(json.dumps(meta.model_dump(mode="json", exclude_none=True))))
    assert again == meta and again.schema_version == SCHEMA_VERSION
    assert again.exit_status == "autosubmission (max_steps)"
    assert Episode(task="t", started="now").exit_status == "running or incomplete"


def test_scores_are_never_nan_and_unknown_fields_are_refused():
    assert Score(split="test", value=float("nan")).value is None
    with pytest.raises(ValidationError):
        Score(split="train")
    with pytest.raises(ValidationError):
        Episode(task="t", started="now", exit="gave_up")
    with pytest.raises(ValidationError):
        Step(step=1, kind="cell", status="ok", started="now", duration=0.1, colour="red")


def test_version_1_notebooks_are_read():
    meta = read_episode(V1_EPISODE)
    assert meta.schema_version == 1 and meta.exit == "submitted" and meta.steps == 3
    validate, submit = meta.scores
    assert (validate.kind, validate.dev.value, validate.test.status) == ("validate", 2.397, "error")
    assert (submit.kind, submit.test.value, submit.dev.message) == ("submit", 2.509, "not graded")
    interrupted = read_episode({**V1_EPISODE, "exit": None, "status": "interrupted", "scores": []})
    assert interrupted.exit == "interrupted"
    step = read_step({"step": 2, "kind": "validate", "status": "error", "started": "x", "duration": 1.0,
                      "score": {"split": "dev", "value": None, "status": "error", "message": "grader failed"}})
    assert step.status == "invalid" and step.scores["dev"].message == "grader failed"


def test_step_records_carry_the_agent_usage_and_extras():
    step = read_step({"step": 1, "kind": "cell", "status": "ok", "started": "x", "duration": 0.5,
                      "usage": {"source": "cgroup v2", "cpu_s": 0.1}, "agent": {"input_tokens": 5, "tool": "run_cell"},
                      "original": {"outputs": []}})
    assert step.usage.cpu_s == 0.1 and step.agent.input_tokens == 5 and step.agent.tool == "run_cell"
