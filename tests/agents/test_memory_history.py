import json

from mlgym_nb.agents.history import HistoryProcessor, Turn
from mlgym_nb.agents.memory import MemoryStore


def test_memory_persists_and_ranks_by_similarity(tmp_path):
    store = MemoryStore(tmp_path / "task.jsonl")
    assert store.call("memory_read", json.dumps({"query": "anything"})) == "no matching memories"
    first = {"text": "tit for tat beats always defect", "tags": ["pd"]}
    assert store.call("memory_write", json.dumps(first)) == "saved"
    store.call("memory_write", json.dumps({"text": "ridge regression with alpha 10 overfits less"}))
    store.call("memory_write", json.dumps({"text": "random forest depth 6 is a good default", "tags": ["trees"]}))
    again = MemoryStore(tmp_path / "task.jsonl")  # a later episode
    hits = again.read("which forest depth?")
    assert hits[0][1]["text"] == "random forest depth 6 is a good default"
    assert again.read("tat")[0][1]["tags"] == ["pd"]
    assert again.call("memory_write", "{oops") == "memory_write: the arguments are not valid JSON"
    assert again.call("memory_write", json.dumps({"text": " "})) == "memory_write needs a non-empty `text`"


def turns(n, size=10):
    return [Turn({"role": "assistant", "content": f"step {i}"}, "x" * size + f" out{i}") for i in range(n)]


def test_history_keeps_actions_and_last_observations():
    head = [{"role": "system", "content": "s"}, {"role": "user", "content": "task"}]
    messages = HistoryProcessor(keep_last=2, max_tokens=10_000, block=1).messages(head, turns(4))
    assert [m["content"] for m in messages if m["role"] == "assistant"] == ["step 0", "step 1", "step 2", "step 3"]
    observations = [m["content"] for m in messages[2:] if m["role"] == "user"]
    assert observations[:2] == ["[output of step 1 omitted: 1 lines]", "[output of step 2 omitted: 1 lines]"]
    assert observations[2].endswith("out2") and observations[3].endswith("out3")


def test_history_trims_to_the_token_budget_then_gives_up():
    head = [{"role": "user", "content": "task"}]
    long_turns = turns(3, size=4000)  # about 1000 tokens each
    messages = HistoryProcessor(keep_last=5, max_tokens=1500, block=1).messages(head, long_turns)
    full = [m for m in messages if m["role"] == "user" and m["content"].endswith(("out0", "out1", "out2"))]
    assert len(full) == 1 and full[0]["content"].endswith("out2")
    assert HistoryProcessor(keep_last=5, max_tokens=5).messages(head, long_turns) is None


def test_replayed_steps_enter_the_llm_agents_history():
    from mlgym_nb.agents import Action, LLMAgent
    from mlgym_nb.tasks import load_task

    agent = LLMAgent(base_url="http://127.0.0.1:9/v1", memory=False, tools="off")
    agent.reset(load_task("prisoners_dilemma"), "the task")
    agent.observe(Action(cell="x = 1\nprint(x)", thought="Try it."), "1\n(step 1/30, 30 min left)")
    messages = agent.history.messages(agent.head, agent.turns)
    assert messages[-2] == {"role": "assistant", "content": "Try it.\n\n```python\nx = 1\nprint(x)\n```"}
    assert messages[-1]["role"] == "user" and messages[-1]["content"].startswith("1\n(step 1/30")


def test_old_observations_are_stubbed_in_blocks_so_the_prefix_stays_put():
    head = [{"role": "system", "content": "s"}, {"role": "user", "content": "task"}]
    history = HistoryProcessor(keep_last=2, max_tokens=100_000, block=3)
    prefixes = []
    for n in range(2, 9):
        messages = history.messages(head, turns(n))
        stubbed = sum(1 for m in messages if "omitted" in str(m["content"]))
        prefixes.append(stubbed)
    assert prefixes == [0, 0, 0, 3, 3, 3, 6]  # the stubs move three at a time, not one per step
