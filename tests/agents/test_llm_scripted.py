"""The LLM agent's turn on a scripted model: parsing, retries, prefill, memory, budgets, tools fallback (fast tier)."""

import json

import pytest

from mlgym_nb.agents import AgentExit, LLMAgent, ModelError, Reply, ScriptedModel, ToolCall, agent_config
from mlgym_nb.tasks import load_task

TASK = load_task("prisoners_dilemma")


def agent(replies, **overrides):
    model = ScriptedModel(replies)
    bot = LLMAgent(agent_config("scripted", memory=False, tools="off", **overrides), model=model)
    bot.reset(TASK, "the task statement")
    return bot, model


def test_a_text_reply_becomes_an_action_with_its_usage():
    bot, model = agent(["Look first.\n```python\nprint(1)\n```"])
    action = bot.act("the task statement")
    assert (action.cell, action.thought) == ("print(1)", "Look first.")
    assert action.meta["calls"] == 1 and action.meta["input_tokens"] > 0 and action.meta["cost"] == 0.0
    assert model.requests[0]["temperature"] == 0.0 and model.requests[0]["tools"] is None
    assert model.requests[0]["messages"][0]["role"] == "system"


def test_a_garbled_reply_is_corrected_at_a_higher_temperature():
    bot, model = agent(["I would try a forest.", "Right.\n```python\nx = 1\n```"])
    action = bot.act("obs")
    assert action.cell == "x = 1" and action.meta["format_errors"] == [
        "Your reply had no action. End it with exactly one fenced ```python block holding the cell to run "
        "(or `%validate`, or `%submit`)."]
    retry = model.requests[1]
    assert retry["temperature"] == 0.7 and retry["messages"][-1]["content"].startswith("Your reply had no action")
    assert bot.usage()["format_errors"] == 1


def test_prefill_opens_the_fence_and_stops_at_its_end():
    bot, model = agent(["no code here", "print(2)\n```\nand then I rambled"], prefill="```python\n")
    action = bot.act("obs")
    assert action.cell == "print(2)"
    assert model.requests[1]["messages"][-1] == {"role": "assistant", "content": "```python\n"}
    assert model.requests[1]["stop"] == ["```"]


def test_the_format_budget_ends_the_episode():
    bot, _ = agent(["nothing"] * 3, format_retries=2)
    with pytest.raises(AgentExit) as stop:
        bot.act("obs")
    assert stop.value.exit == "format" and "3 replies without a usable action" in stop.value.message


def test_token_budget_context_and_api_errors_are_exits():
    bot, _ = agent(["```python\n1\n```", "```python\n2\n```"], max_tokens=10)
    bot.act("obs")
    with pytest.raises(AgentExit, match="cost: token budget of 10 spent"):
        bot.act("obs")
    bot, _ = agent(["```python\n1\n```"], context_tokens=1100, max_output_tokens=1024)
    with pytest.raises(AgentExit, match="context"):
        bot.act("obs")
    bot, _ = agent([ModelError("unreachable", "APIConnectionError from http://x after 3 retries")])
    with pytest.raises(AgentExit) as stop:
        bot.act("obs")
    assert stop.value.exit == "api_error" and stop.value.message.startswith("APIConnectionError from http://x")


def test_tool_calls_memory_and_the_text_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("MLGYM_MEMORY_DIR", str(tmp_path))
    write = ToolCall("m1", "memory_write", json.dumps({"text": "defecting first loses", "tags": ["pd"]}))
    run = ToolCall("c1", "run_cell", json.dumps({"code": "print(3)"}))
    model = ScriptedModel([Reply(tool_calls=[write]), Reply(content="now run", tool_calls=[run])])
    bot = LLMAgent(agent_config("scripted", tools="on", memory=True), model=model)
    bot.reset(TASK, "task")
    action = bot.act("task")
    assert action.cell == "print(3)" and action.meta["memory"][0]["result"] == "saved"
    assert model.requests[1]["messages"][-1] == {"role": "tool", "tool_call_id": "m1", "content": "saved"}
    assert json.loads((tmp_path / "prisoners_dilemma.jsonl").read_text())["text"] == "defecting first loses"
    # A server that refuses tools: the agent falls back to the text protocol for good
    model = ScriptedModel([ModelError("tools", "tools are not supported"), "```python\nprint(4)\n```"])
    bot = LLMAgent(agent_config("scripted", tools="auto", memory=False), model=model)
    bot.reset(TASK, "task")
    assert bot.act("task").cell == "print(4)" and not bot.use_tools and model.requests[1]["tools"] is None


def test_observations_of_the_previous_action_enter_the_history():
    bot, model = agent(["```python\nprint(1)\n```", "```python\nprint(2)\n```"])
    bot.act("task")
    bot.act("1\n(step 1/30, 30 min left)")
    messages = model.requests[1]["messages"]
    assert messages[-2] == {"role": "assistant", "content": "```python\nprint(1)\n```"}
    assert messages[-1]["content"].startswith("1\n(step 1/30")


def test_unknown_prices_warn_and_presets_fill_in():
    with pytest.warns(RuntimeWarning, match="set --price-in and --price-out"):
        LLMAgent(agent_config("my-model"), model=ScriptedModel([]))
    priced = LLMAgent(agent_config("my-model", price_in=1.0, price_out=2.0), model=ScriptedModel([]))
    assert priced.price == (1.0, 2.0)
    assert agent_config("local").prefill == "```python\n" and agent_config("local", tools=None).tools == "off"
    assert agent_config("gpt-4o").prefill is None and agent_config("gpt-4o").tools == "auto"
