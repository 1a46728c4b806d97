"""run_episode end to end on a scripted model, in the plain-process sandbox (fast tier: no Docker, no server)."""

import warnings

import pytest

import mlgym_nb
from mlgym_nb.agents import LLMAgent, ReplayAgent, ScriptedModel, agent_config, run_episode
from mlgym_nb.episode import load_episode

REFERENCE = mlgym_nb.load_task("prisoners_dilemma").reference_cells()[0]


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the plain-process sandbox says it is unisolated
        yield


def test_a_scripted_agent_writes_validates_and_submits(tmp_path):
    model = ScriptedModel([f"Reciprocate.\n```python\n{REFERENCE}\n```", "Score it.\n%validate", "gibberish",
                           "Done.\n```python\n%submit\n```"])
    with mlgym_nb.make("prisoners_dilemma", sandbox="none", episode=tmp_path / "s.ipynb") as env:
        result = run_episode(env, LLMAgent(agent_config("scripted", memory=False), model=model), seed=0)
    assert (result.exit, result.steps, result.status) == ("submitted", 3, "scored")
    episode = load_episode(tmp_path / "s.ipynb")
    assert [g.kind for g in episode.meta.scores] == ["validate", "submit"]
    assert episode.meta.scores[-1].test.value == result.score and result.score > episode.meta.baseline["test"]
    assert episode.meta.agent["model_class"] == "mlgym_nb.agents.model.ScriptedModel"
    (_, first), _, (_, last) = episode.steps
    assert first.agent.calls == 1 and last.agent.format_errors and episode.meta.usage["format_errors"] == 1
    assert [episode.thought(c) for c, _ in episode.steps] == ["Reciprocate.", "Score it.", "Done."]


def test_an_agent_that_gives_up_is_autosubmitted(tmp_path):
    model = ScriptedModel(["no action"] * 3)
    with mlgym_nb.make("prisoners_dilemma", sandbox="none", episode=tmp_path / "f.ipynb") as env:
        result = run_episode(env, LLMAgent(agent_config("scripted", memory=False, format_retries=2), model=model))
    assert result.exit == "format" and result.steps == 0 and "3 replies without a usable action" in result.message
    meta = load_episode(tmp_path / "f.ipynb").meta
    assert meta.exit_status == "autosubmission (format)" and meta.scores[0].kind == "autosubmit"
    assert result.score == meta.scores[0].test.value  # the untouched baseline, graded as it is


def test_replay_of_the_reference(tmp_path):
    with mlgym_nb.make("prisoners_dilemma", sandbox="none", episode=tmp_path / "r.ipynb") as env:
        result = run_episode(env, ReplayAgent(), seed=0)
    assert result.exit == "submitted" and result.steps == 3
