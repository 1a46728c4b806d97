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
    local = agent_config("local", tools=None)
    assert (local.tools, local.reply_format, local.constrained) == ("off", "json", True)
    assert agent_config("gpt-4o").reply_format == "text" and agent_config("gpt-4o").tools == "auto"


def json_agent(replies, **overrides):
    return agent(replies, reply_format="json", constrained=True, **overrides)


def test_json_replies_become_visible_cells_and_the_schema_is_sent():
    import json as _json

    replies = [_json.dumps(r) for r in [
        {"thought": "rewrite", "action": "write", "code": "def row_strategy(h):\n    return 0\n",
         "path": "strategy.py"},
        {"thought": "fix line 2", "action": "edit", "code": "    return 1", "path": "strategy.py", "start": 2,
         "end": 2},
        {"thought": "score", "action": "validate", "code": ""},
        {"thought": "look", "action": "run", "code": "print(open('strategy.py').read())"}]]
    bot, model = json_agent(replies)
    cells = [bot.act("obs") for _ in range(4)]
    assert cells[0].cell == "%%writefile strategy.py\ndef row_strategy(h):\n    return 0\n"
    assert cells[1].cell == "%%edit strategy.py 2-2\n    return 1" and cells[1].meta["reply"] == "edit"
    assert cells[2].cell == "%validate" and cells[3].thought == "look"
    assert model.requests[0]["schema"]["properties"]["action"]["enum"] == ["run", "write", "edit", "validate", "submit"]
    assert "one JSON object" in model.requests[0]["messages"][0]["content"]


@pytest.mark.parametrize("reply,message", [
    ("not json", "Your reply is not a JSON object"),
    ('{"thought": "x"}', "Your reply must be one JSON object with the keys thought, action and code"),
    ('{"thought": "x", "action": "run", "code": " "}', 'The action "run" needs the cell in "code"'),
    ('{"thought": "x", "action": "edit", "code": "y", "path": "a.py", "start": 5, "end": 2}',
     'The action "edit" needs whole line numbers'),
    ('{"thought": "x", "action": "write", "code": "y"}', 'The action "write" needs a file name'),
    ('{"thought": "x", "action": "dance", "code": ""}', 'There is no action "dance"'),
])
def test_bad_json_replies_get_a_correction(reply, message):
    bot, model = json_agent([reply, '{"thought": "ok", "action": "validate", "code": ""}'])
    assert bot.act("obs").cell == "%validate"
    assert model.requests[1]["messages"][-1]["content"].startswith(message)


def test_repeating_the_same_cell_on_the_same_output_is_corrected_then_ends_the_episode():
    same = "```python\nprint('hello')\n```"
    bot, model = agent([same, same, "```python\nprint('other')\n```", same, same, same, same])
    assert bot.act("hello\n(step 1/30, 30 min left)").cell == "print('hello')"
    assert bot.act("hello\n(step 2/30, 30 min left)").cell == "print('other')"  # the repeat got a correction
    assert model.requests[2]["messages"][-1]["content"].startswith("You sent the same cell as last time")
    assert model.requests[2]["temperature"] == 0.7
    assert bot.act("other\n").cell == "print('hello')"
    with pytest.raises(AgentExit) as stop:
        bot.act("hello\n")
        bot.act("hello\n")
    assert stop.value.exit == "repetition" and bot.usage()["repeats"] >= 2


def test_literature_search_is_answered_on_the_drivers_side_and_recorded():
    from pathlib import Path

    from mlgym_nb.agents.literature import ArxivSearch

    recorded = (Path(__file__).parent / "data" / "arxiv_response.xml").read_bytes()  # see the file's header
    urls = []
    search = ArxivSearch(fetch=lambda url: urls.append(url) or recorded)
    call = ToolCall("l1", "literature_search", json.dumps({"query": "gradient boosting"}))
    docs = ToolCall("d1", "docs_search", json.dumps({"query": "HistGradientBoostingRegressor"}))
    model = ScriptedModel([Reply(tool_calls=[call]), Reply(content="look it up", tool_calls=[docs])])
    bot = LLMAgent(agent_config("scripted", tools="on", memory=False), model=model, literature=search)
    bot.reset(TASK, "task")
    action = bot.act("task")
    assert action.cell == "%docs HistGradientBoostingRegressor"  # the offline search is a cell in the kernel
    assert urls[0].endswith("search_query=all%3Agradient+boosting&start=0&max_results=5")
    found = action.meta["memory"][0]["result"]
    assert found.startswith("- XGBoost: A Scalable Tree Boosting System (Tianqi Chen, Carlos Guestrin)")
    assert ("CatBoost: unbiased boosting with categorical features (Liudmila Prokhorenkova, Gleb Gusev, Aleksandr "
            "Vorobev et al.)") in found and "literature_search" in action.thought
    assert "literature_search" in [t["function"]["name"] for t in model.requests[0]["tools"]]


def test_an_unreachable_literature_service_is_an_observation_not_a_crash():
    from mlgym_nb.agents.literature import ArxivSearch

    def offline(url):
        raise OSError("Network is unreachable")

    call = ToolCall("l1", "literature_search", json.dumps({"query": "x"}))
    model = ScriptedModel([Reply(tool_calls=[call]), "```python\nprint(1)\n```"])
    bot = LLMAgent(agent_config("scripted", tools="auto", memory=False), model=model,
                   literature=ArxivSearch(fetch=offline))
    bot.reset(TASK, "task")
    assert bot.act("task").cell == "print(1)"
    assert model.requests[1]["messages"][-1]["content"] == "literature_search is unavailable: Network is unreachable"
