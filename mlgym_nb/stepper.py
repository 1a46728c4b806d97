"""Step an agent through an episode one action at a time, with a person in the loop.

``Stepper`` is the plain-Python path: ``propose()`` asks the agent for its next action, ``run()``
runs it (or a person's edited or replaced version, recorded as such), ``status()`` says where the
episode stands. ``StepperUI`` puts it behind ipywidgets (Step, Run N, Run to end, Validate, Submit,
Stop, and the proposed cell in an editable box) in a notebook; the cell's outputs stream into it.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from .actions import Action
from .agents.base import AgentExit
from .env import NotebookEnv

LIVE_VIEW_CHARS = 20_000


class Stepper:
    """One episode of ``agent`` in ``env``, advanced by hand.

    Args:
        env: the environment (its notebook records every step).
        agent: any Agent (LLM, research, replay).
        seed: the episode's seed.
    """

    def __init__(self, env: NotebookEnv, agent: Any, seed: int | None = 0) -> None:
        self.env, self.agent = env, agent
        self.observation, self.info = env.reset(seed=seed)
        assert env.recorder is not None
        env.recorder.meta.agent = agent.describe()
        agent.reset(env.task, self.observation)
        self.proposal: Action | None = None
        self.done = False
        self.last: dict[str, Any] = {}

    @property
    def episode(self) -> Path:
        """The episode notebook (it grows with every step)."""
        assert self.env.recorder is not None
        return self.env.recorder.path

    def propose(self) -> Action | None:
        """The agent's next action (kept as ``proposal``), or None when the agent stopped (the episode then ends)."""
        if self.done:
            return None
        try:
            self.proposal = self.agent.act(self.observation)
        except AgentExit as stop:
            self._end(stop.exit, stop.message)
            return None
        return self.proposal

    def run(self, action: Action | str | None = None) -> str:
        """Run the proposal, or ``action`` instead (a person's edit or own cell, recorded with ``edited``).

        Returns the observation.
        """
        if self.done:
            raise RuntimeError("the episode is over; make a new Stepper")
        proposal = self.proposal or (self.propose() if action is None else None)
        if action is None:
            if proposal is None:
                return self.observation
            action = proposal
        elif isinstance(action, str):
            action = Action(cell=action, thought=proposal.thought if proposal else "(written by a person)",
                            meta=dict(proposal.meta) if proposal else {"edited": True})
        if proposal is not None and action.cell != proposal.cell:
            action.meta["edited"] = True
            if hasattr(self.agent, "replace_last"):
                self.agent.replace_last(action)  # the agent's history holds what ran, not what it proposed
        self.proposal = None
        self.observation, _reward, terminated, truncated, self.last = self.env.step(action)
        self.done = terminated or truncated
        return self.observation

    def stop(self) -> None:
        """End the episode here; the workspace is graded as it is."""
        if not self.done:
            self._end("stopped", "stopped by a person")

    def _end(self, exit: str, message: str) -> None:
        self.env.end(exit, message)
        self.done = True

    def status(self) -> dict[str, Any]:
        """Steps and budget, tokens, cost and the best dev score so far."""
        meta = self.env.recorder.meta if self.env.recorder else None
        usage = self.agent.usage() if hasattr(self.agent, "usage") else {}
        sign = 1 if self.env.task.metric.direction == "maximize" else -1
        devs = [g.dev.value for g in (meta.scores if meta else []) if g.dev.value is not None]
        return {"step": meta.steps if meta else 0, "max_steps": self.env.max_steps, "done": self.done,
                "exit": meta.exit if meta else None, "tokens": usage.get("input_tokens", 0) +
                usage.get("output_tokens", 0), "cost": usage.get("cost"),
                "best_dev": max(devs, key=lambda v: sign * v) if devs else None}


def highlight(code: str) -> str:
    """The cell as highlighted HTML (pygments when installed, else plain)."""
    try:
        from pygments import highlight as pyg
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer

        return pyg(code, PythonLexer(), HtmlFormatter(noclasses=True, nowrap=False))
    except ImportError:
        return f"<pre>{html.escape(code)}</pre>"


def lab_link(path: Path, root: Path | None = None) -> str:
    """An HTML link that opens ``path`` in JupyterLab (served from ``root``, default the working folder)."""
    root = Path(root or os.getcwd()).resolve()
    path = path.resolve()
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        return f"<code>{html.escape(str(path))}</code> (outside JupyterLab's folder; open it from there)"
    return f'<a href="/lab/tree/{html.escape(relative)}" target="_blank">{html.escape(relative)}</a>'


class StepperUI:
    """ipywidgets controls for a Stepper: the proposal in an editable box, and buttons that run it.

    ``display(StepperUI(stepper).widget)`` in a notebook; tests press the buttons with ``.click()``.
    """

    def __init__(self, stepper: Stepper) -> None:
        import ipywidgets as w

        self.stepper = stepper
        self.cell = w.Textarea(layout=w.Layout(width="100%", height="10em"), description="next cell")
        self.thought = w.HTML()
        self.proposed = w.HTML()  # the agent's proposal, highlighted; the box below holds it for editing
        self.status = w.HTML()
        self.output = w.Output(layout=w.Layout(border="1px solid #ddd", max_height="24em", overflow="auto"))
        self.count = w.BoundedIntText(value=3, min=1, max=1000, layout=w.Layout(width="5em"))
        self.buttons = {name: w.Button(description=name) for name in ("Step", "Run N", "Run to end", "Validate",
                                                                       "Submit", "Stop")}
        handlers = {"Step": lambda _: self.step(), "Run N": lambda _: self.step(self.count.value),
                    "Run to end": lambda _: self.step(10**6), "Validate": lambda _: self.step(cell="%validate"),
                    "Submit": lambda _: self.step(cell="%submit"), "Stop": lambda _: self._stop()}
        for name, button in self.buttons.items():
            button.on_click(handlers[name])
        self.streamed: list[str] = []
        stepper.env.on_output = self._stream
        link = w.HTML(f"episode notebook: {lab_link(stepper.episode)}")
        controls = w.HBox([self.buttons["Step"], self.buttons["Run N"], self.count, self.buttons["Run to end"],
                           self.buttons["Validate"], self.buttons["Submit"], self.buttons["Stop"]])
        self.widget = w.VBox([self.status, link, self.thought, self.proposed, self.cell, controls, self.output])
        self._propose()

    def _stream(self, name: str, text: str) -> None:
        # The view is capped like an observation: a cell that floods its output must not flood the browser.
        room = LIVE_VIEW_CHARS - sum(map(len, self.streamed))
        if room <= 0:
            return
        if len(text) > room:
            text = text[:room] + f"\n[live view capped at {LIVE_VIEW_CHARS} characters]\n"
        self.streamed.append(text)
        (self.output.append_stderr if name == "stderr" else self.output.append_stdout)(text)

    def _propose(self) -> None:
        action = self.stepper.propose()
        self.cell.value = action.cell if action else ""
        self.thought.value = f"<b>agent:</b> {html.escape(action.thought)}" if action and action.thought else ""
        self.proposed.value = highlight(action.cell) if action else ""
        self._refresh()

    def _refresh(self) -> None:
        s = self.stepper.status()
        best = "-" if s["best_dev"] is None else f"{s['best_dev']:g}"
        cost = "unknown" if s["cost"] is None else f"${s['cost']:.4f}"
        ended = f", ended: {s['exit']}" if s["done"] else ""
        self.status.value = (f"<b>step {s['step']}/{s['max_steps']}</b>, tokens {s['tokens']}, cost {cost}, "
                             f"best dev score {best}{ended}")
        for button in self.buttons.values():
            button.disabled = s["done"]

    def step(self, times: int = 1, cell: str | None = None) -> None:
        """Run the cell in the box (or ``cell``) and propose the next; ``times`` steps in a row."""
        for _ in range(times):
            if self.stepper.done:
                break
            typed = cell if cell is not None else self.cell.value
            self.output.append_stdout(f"--- step {self.stepper.status()['step'] + 1}:\n{typed}\n")
            self.streamed = []
            observation = self.stepper.run(typed)
            shown = set("".join(self.streamed).splitlines())
            # What streamed is on screen already; the rest of the observation (scores, notes, budget) is new.
            self.output.append_stdout("".join(line + "\n" for line in observation.splitlines() if line not in shown))
            cell = None
            self._propose()
        self._refresh()

    def _stop(self) -> None:
        self.stepper.stop()
        self._refresh()
