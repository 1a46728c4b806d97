"""The LLM agent over real HTTP against the embedded model server, in real Docker kernels."""

import nbformat
import pytest

import mlgym_nb
from mlgym_nb.agents import EXITS, LLMAgent, ReplayAgent, agent_config, run_episode

pytestmark = pytest.mark.docker


def agent(local_model, **overrides):
    return LLMAgent(agent_config("local", base_url=local_model.base_url, memory=False, **overrides))


def test_llm_episode_records_tokens_and_latency(local_model, tmp_path, no_leftover_containers):
    path = tmp_path / "llm.ipynb"
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=path, max_steps=3) as env:
        result = run_episode(env, agent(local_model), seed=0)
    assert result.exit in ("max_steps", "submitted")
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    meta = nb.metadata.mlgym
    assert meta["exit"] == result.exit and meta["agent"]["name"] == "llm"
    steps = [c for c in nb.cells if c.cell_type == "code" and c.id.startswith("step-")]
    assert len(steps) == result.steps >= 1
    for cell in steps:
        usage = cell.metadata.mlgym["agent"]
        assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0 and usage["model_seconds"] > 0
        assert usage["cost"] == 0.0 and usage["calls"] >= 1
    assert meta["usage"]["input_tokens"] == sum(c.metadata.mlgym["agent"]["input_tokens"] for c in steps)
    assert meta["scores"][-1]["test"]["status"] == "scored" and result.score is not None


def test_token_budget_ends_with_cost(local_model, tmp_path, no_leftover_containers):
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=tmp_path / "c.ipynb", max_steps=10) as env:
        result = run_episode(env, agent(local_model, max_tokens=50), seed=0)
    assert result.exit == "cost" and result.steps <= 1  # the first reply spends the budget
    meta = nbformat.read(tmp_path / "c.ipynb", as_version=4).metadata.mlgym
    assert meta["exit"] == "cost" and meta["exit_message"] == "token budget of 50 spent"
    assert meta["scores"][-1]["kind"] == "autosubmit" and result.score == pytest.approx(2.4155, abs=0.02)


def test_context_window_exhausted(local_model, tmp_path, no_leftover_containers):
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=tmp_path / "x.ipynb") as env:
        result = run_episode(env, agent(local_model, context_tokens=500), seed=0)
    assert (result.exit, result.steps) == ("context", 0)


def test_unreachable_endpoint_is_an_api_error(tmp_path, no_leftover_containers):
    unreachable = LLMAgent(base_url="http://127.0.0.1:9/v1", api_retries=0, timeout=5, memory=False)
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=tmp_path / "a.ipynb") as env:
        result = run_episode(env, unreachable, seed=0)
    assert result.exit == "api_error" and result.exit in EXITS
    meta = nbformat.read(tmp_path / "a.ipynb", as_version=4).metadata.mlgym
    assert meta["exit_message"].startswith("APIConnectionError from http://127.0.0.1:9/v1 after 0 retries")
    assert meta["exit"] == "api_error" and result.score is not None


def test_replay_of_an_episode_reproduces_its_cells(tmp_path, no_leftover_containers):
    first, second = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=first) as env:
        original = run_episode(env, ReplayAgent(), seed=0)
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=second) as env:
        replayed = run_episode(env, ReplayAgent(first), seed=0)
    assert original.exit == replayed.exit == "submitted"
    assert original.score == replayed.score

    def steps(path):
        nb = nbformat.read(path, as_version=4)
        return [(c.id, c.source) for c in nb.cells if c.id.startswith("step-")]

    assert steps(first) == steps(second)


@pytest.mark.parametrize("task,steps", [("prisoners_dilemma", 20), ("house_price", 8)])
def test_the_embedded_model_never_makes_a_format_error_with_constrained_decoding(local_model, tmp_path, task, steps,
                                                                                   no_leftover_containers):
    # house_price's long starter once made the model ramble in its thought until the token limit cut the JSON.
    a = agent(local_model)
    with mlgym_nb.make(task, sandbox="docker", episode=tmp_path / "j.ipynb", max_steps=steps) as env:
        result = run_episode(env, a, seed=0)
    nb = nbformat.read(tmp_path / "j.ipynb", as_version=4)
    assert result.exit in ("max_steps", "submitted", "repetition") and result.steps >= 1
    assert a.usage()["format_errors"] == 0 and a.usage()["calls"] >= result.steps  # every reply, not only steps'
    assert nb.metadata.mlgym["agent"]["config"]["constrained"] is True
