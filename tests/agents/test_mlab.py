"""MLAgentBench's research agent on a scripted model: every high-level action, the research log, the
notebook it leaves (plain-process sandbox: fast tier)."""

import json
import warnings

import pytest

import mlgym_nb
from mlgym_nb.agents import ResearchAgent, ScriptedModel, agent_config, run_episode
from mlgym_nb.agents.mlab import parse_research_reply
from mlgym_nb.agents.parsing import FormatError
from mlgym_nb.episode import load_episode


def reply(action, **action_input):
    return json.dumps({"reflection": f"before {action}", "research_plan_and_status": f"1. {action} (in progress)",
                       "fact_check": "nothing confirmed yet", "thought": f"now {action}", "action": action,
                       "action_input": action_input})


NEW_STRATEGY = "def row_strategy(history):\n    return history[-1][1] if history else 0\n"
SCRIPT = [
    reply("List Files", dir_path="."),
    reply("Inspect Script Lines", script_name="strategy.py", start_line_number=1, end_line_number=5),
    reply("Understand File", file_name="strategy.py", things_to_look_for="what the strategy does"),
    "It copies the opponent's last move 70% of the time.",                                 # the summary sub-call
    reply("Edit Script (AI)", script_name="strategy.py", edit_instruction="always reciprocate",
          save_name="strategy.py"),
    f"```python\n{NEW_STRATEGY}```",                                                        # the edit sub-call
    reply("Validate"),
    reply("Execute Script", script_name="strategy.py"),
    reply("Final Answer", final_answer="a reciprocating strategy"),
]


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def test_every_high_level_action_through_a_real_kernel(tmp_path):
    model = ScriptedModel(list(SCRIPT))
    agent = ResearchAgent(agent_config("scripted", memory=False, reply_format="json", constrained=True), model=model)
    with mlgym_nb.make("prisoners_dilemma", sandbox="none", episode=tmp_path / "m.ipynb") as env:
        result = run_episode(env, agent, seed=0)
    assert result.exit == "submitted" and result.status == "scored"
    episode = load_episode(tmp_path / "m.ipynb")
    cells = [cell.source for cell, _ in episode.steps]
    assert cells[0] == "!ls -la ."
    assert cells[1].startswith("for n, line in enumerate(open('strategy.py')")
    assert cells[2] == cells[3] == "print(open('strategy.py').read())"  # read for Understand, then for Edit
    assert cells[4] == f"%%writefile strategy.py\n{NEW_STRATEGY}"
    assert cells[5:] == ["%validate", "%run strategy.py", "%submit"]
    assert (tmp_path / "m.workspace" / "strategy.py").read_text() == NEW_STRATEGY
    thoughts = [episode.thought(cell) for cell, _ in episode.steps]
    assert thoughts[0].startswith("**Reflection:** before List Files\n\n**Research Plan and Status:**")
    assert "**Understand File strategy.py** (what the strategy does): It copies" in thoughts[3]
    assert "**Edit Script (AI)** strategy.py -> strategy.py: always reciprocate" in thoughts[4]
    assert "+    return history[-1][1] if history else 0" in thoughts[4]  # the diff is in the notebook
    research = episode.steps[0][1].agent.research
    assert research["action"] == "List Files" and research["fact_check"] == "nothing confirmed yet"
    assert model.requests[0]["schema"]["properties"]["action"]["enum"][0] == "List Files"
    # the research log, not the transcript, is what the model sees of the past
    last = model.requests[-1]["messages"][-1]["content"]
    assert "Step 1: List Files" in last and "The edit's diff:" in "".join(
        m["messages"][-1]["content"] for m in model.requests)


@pytest.mark.parametrize("text,message", [
    ("Reflection: x\nThought: y", "Your reply lacks: Research Plan and Status, Fact Check, Action, Action Input"),
    ("Reflection: a\nResearch Plan and Status: b\nFact Check: c\nThought: d\nAction: Dance\nAction Input: {}",
     "There is no action 'Dance'"),
    ("Reflection: a\nResearch Plan and Status: b\nFact Check: c\nThought: d\nAction: Execute Script\n"
     "Action Input: {}", "Execute Script needs script_name"),
    ("Reflection: a\nResearch Plan and Status: b\nFact Check: c\nThought: d\nAction: Validate\nAction Input: {x",
     "Action Input must be a JSON object"),
])
def test_the_text_reply_format(text, message):
    with pytest.raises(FormatError, match=message):
        parse_research_reply(text, as_json=False)


def test_a_text_reply_parses():
    text = ("**Reflection:** fine\nResearch Plan and Status: 1. try\nFact Check: none\nThought: go\n"
            "Action: Execute Script\nAction Input: ```json\n{\"script_name\": \"train.py\"}\n```")
    parsed = parse_research_reply(text, as_json=False)
    assert parsed["action"] == "Execute Script" and parsed["action_input"] == {"script_name": "train.py"}
