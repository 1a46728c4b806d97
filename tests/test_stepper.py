"""Stepping an agent by hand: the plain-Python Stepper and its widget, pressed programmatically
(plain-process sandbox, scripted model: fast tier)."""

import warnings

import pytest

import mlgym_nb
from mlgym_nb.agents import LLMAgent, ScriptedModel, agent_config
from mlgym_nb.episode import load_episode
from mlgym_nb.stepper import Stepper, StepperUI, lab_link

REPLIES = ["Look.\n```python\nprint('looking')\n```", "Write it.\n```python\nprint('the agent wrote this')\n```",
           "Check.\n```python\nprint('check')\n```", "Done.\n%submit"]


@pytest.fixture
def stepper(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        env = mlgym_nb.make("prisoners_dilemma", sandbox="none", episode=tmp_path / "s.ipynb")
        agent = LLMAgent(agent_config("scripted", memory=False), model=ScriptedModel(list(REPLIES)))
        yield Stepper(env, agent, seed=0)
        env.close()


def test_the_widget_runs_proposals_edits_and_harness_actions(stepper, tmp_path):
    pytest.importorskip("ipywidgets")
    ui = StepperUI(stepper)
    assert ui.cell.value == "print('looking')" and "Look." in ui.thought.value
    assert "looking" in ui.proposed.value and "<span" in ui.proposed.value  # highlighted by pygments
    ui.buttons["Step"].click()
    assert stepper.status()["step"] == 1 and ui.cell.value == "print('the agent wrote this')"
    assert "looking" in "".join(o.get("text", "") for o in ui.output.outputs)  # streamed and echoed
    ui.cell.value = "print('a person wrote this')"  # the person edits the proposal before it runs
    ui.buttons["Step"].click()
    ui.buttons["Validate"].click()
    assert stepper.status()["best_dev"] is not None and "best dev score" in ui.status.value
    ui.buttons["Submit"].click()
    assert stepper.done and all(b.disabled for b in ui.buttons.values())
    episode = load_episode(tmp_path / "s.ipynb")
    steps = {cell.source: step for cell, step in episode.steps}
    assert steps["print('a person wrote this')"].agent.edited is True
    assert steps["print('looking')"].agent.edited is False
    assert [s.kind for _, s in episode.steps][-2:] == ["validate", "submit"] and episode.meta.exit == "submitted"
    assert "'a person wrote this'" in str(stepper.agent.turns[1].assistant)  # the agent's history shows what ran


def test_the_widget_shows_streamed_output_once_and_caps_a_flood(stepper):
    pytest.importorskip("ipywidgets")
    from mlgym_nb.stepper import LIVE_VIEW_CHARS

    ui = StepperUI(stepper)
    ui.step(cell="print('once only')")
    shown = "".join(o.get("text", "") for o in ui.output.outputs)
    assert shown.count("once only") == 2 and "(step 1/" in shown  # the typed cell, its output; then the budget
    ui.step(cell="%validate")
    assert "dev" in "".join(o.get("text", "") for o in ui.output.outputs).split("--- step 2:")[1]
    before = len(ui.output.outputs)
    ui.step(cell="for _ in range(2000):\n    print('x' * 100)")
    flood = "".join(o.get("text", "") for o in ui.output.outputs[before:])
    assert f"live view capped at {LIVE_VIEW_CHARS}" in flood and len(flood) < LIVE_VIEW_CHARS + 2000


def test_the_plain_python_path_and_stop(stepper, tmp_path):
    assert stepper.propose().cell == "print('looking')"
    assert stepper.run().startswith("looking")
    assert stepper.run("print(6 * 7)").startswith("42")  # a person's own cell, instead of asking the agent
    stepper.stop()
    meta = load_episode(tmp_path / "s.ipynb").meta
    assert meta.exit == "stopped" and meta.scores[-1].kind == "autosubmit"
    assert lab_link(tmp_path / "s.ipynb", tmp_path) == '<a href="/lab/tree/s.ipynb" target="_blank">s.ipynb</a>'
