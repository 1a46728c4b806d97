"""MLAgentBench's research agent (``--agent mlab``): a research log, reflective replies, high-level actions.

Every reply answers Reflection, Research Plan and Status, Fact Check and Thought, then names an Action
and its input (a JSON object). What the model sees of the past is the research log (each step's action
and a short observation) and the last observations in full, not the whole transcript. The high-level
actions work through notebook cells, so the notebook shows everything that touched the workspace:

- Understand File: a cell prints the file; the model, asked what to look for, summarises it;
- Inspect Script Lines: a cell prints the lines, numbered;
- Edit Script (AI): a cell prints the file, the model writes its edited version from the instruction,
  and a ``%%writefile`` cell saves it; the observation is the diff;
- Execute Script (``%run``), List Files (``!ls``), Run Cell, Search Docs (``%docs``), Validate, Final
  Answer (``%submit``).

Budgets, retries and exits are the LLM agent's (it is one, with another turn).
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from ..tasks import TaskSpec
from .base import Action, AgentExit
from .llm import LLMAgent
from .parsing import FormatError

SECTIONS = ("Reflection", "Research Plan and Status", "Fact Check", "Thought", "Action", "Action Input")
ACTIONS = {
    "List Files": "dir_path", "Understand File": "file_name, things_to_look_for",
    "Inspect Script Lines": "script_name, start_line_number, end_line_number",
    "Edit Script (AI)": "script_name, edit_instruction, save_name", "Execute Script": "script_name",
    "Run Cell": "code", "Search Docs": "query", "Validate": "", "Final Answer": "final_answer",
}
INPUTS = {"dir_path": "string", "file_name": "string", "things_to_look_for": "string", "script_name": "string",
          "start_line_number": "integer", "end_line_number": "integer", "edit_instruction": "string",
          "save_name": "string", "code": "string", "query": "string", "final_answer": "string"}
SCHEMA = {
    "type": "object",
    "properties": {
        "reflection": {"type": "string"}, "research_plan_and_status": {"type": "string"},
        "fact_check": {"type": "string"}, "thought": {"type": "string"},
        "action": {"type": "string", "enum": list(ACTIONS)},
        "action_input": {"type": "object", "properties": {k: {"type": v} for k, v in INPUTS.items()},
                         "additionalProperties": False},
    },
    "required": ["reflection", "research_plan_and_status", "fact_check", "thought", "action", "action_input"],
    "additionalProperties": False,
}
PROMPT = """You are a helpful research assistant improving a machine learning solution. You work in a Jupyter \
workspace (/workspace; read-only data in /data) through these actions:
{actions}
Validate scores your files on a development split; Final Answer scores them on the held-out test split and \
ends the episode. Only the files the task names are graded.

Each reply has these parts:
Reflection: what the last observation means, and what went wrong if something did.
Research Plan and Status: the high-level plan, then what is done and what is in progress. Keep it short and \
restate it in full every time, with results confirmed by observations only.
Fact Check: each statement of the plan that changed, marked guessed or directly confirmed by an observation.
Thought: what you do now and why.
Action: one action name.
Action Input: its input, as a JSON object.
{format}"""
TEXT_REPLY = "Write the parts in that order, each starting on a new line with its name and a colon."
JSON_REPLY = ("Reply with one JSON object with the keys reflection, research_plan_and_status, fact_check, thought, "
              "action and action_input.")


def parse_research_reply(text: str, as_json: bool) -> dict[str, Any]:
    """The parts of a reply (keys: reflection, research_plan_and_status, fact_check, thought, action,
    action_input); FormatError says what is missing."""
    if as_json:
        try:
            reply = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(f"Your reply is not one JSON object ({exc.msg}); {JSON_REPLY}") from None
        if not isinstance(reply, dict):
            raise FormatError(JSON_REPLY)
    else:
        pattern = "|".join(re.escape(s) for s in SECTIONS)
        pieces = re.split(rf"^\s*\**({pattern})\**\s*:", text or "", flags=re.M)
        reply = {name.lower().replace(" ", "_"): body.strip() for name, body in zip(pieces[1::2], pieces[2::2],
                                                                                   strict=True)}
        if "action_input" in reply:
            raw = str(reply["action_input"]).strip().strip("`").removeprefix("json").strip()
            try:
                reply["action_input"] = json.loads(raw or "{}")
            except json.JSONDecodeError:
                raise FormatError("Action Input must be a JSON object, e.g. {\"script_name\": \"train.py\"}.") \
                    from None
    missing = [s for s in SECTIONS if s.lower().replace(" ", "_") not in reply]
    if missing:
        raise FormatError(f"Your reply lacks: {', '.join(missing)}. {JSON_REPLY if as_json else TEXT_REPLY}")
    action = str(reply["action"]).strip()
    if action not in ACTIONS:
        raise FormatError(f"There is no action {action!r}; the actions are: {', '.join(ACTIONS)}.")
    if not isinstance(reply["action_input"], dict):
        raise FormatError("Action Input must be a JSON object.")
    needed = [k.strip() for k in ACTIONS[action].split(",") if k.strip()]
    absent = [k for k in needed if k not in reply["action_input"]]
    if absent:
        raise FormatError(f"{action} needs {', '.join(absent)} in its Action Input.")
    reply["action"] = action
    return reply


class ResearchAgent(LLMAgent):
    """MLAgentBench's research agent over the LLM agent's model, budgets and exits."""

    def reset(self, task: TaskSpec, observation: str) -> None:
        super().reset(task, observation)
        actions = "\n".join(f"- {name}: {{{inputs}}}" for name, inputs in ACTIONS.items())
        reply_format = JSON_REPLY if self.config.reply_format == "json" else TEXT_REPLY
        self.head = [{"role": "system", "content": PROMPT.format(actions=actions, format=reply_format)},
                     {"role": "user", "content": f"The research problem:\n{observation}"}]
        self.log: list[dict[str, Any]] = []
        self.plan = ""
        self._pending: Any = None  # a high-level action between its cells: (name, input, path)
        self._edit_diff: str | None = None  # what the last Edit Script (AI) changed, for its observation
        self._observations: list[str] = []

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "name": "mlab"}

    def act(self, observation: str) -> Action:
        step = {**self._usage(), "format_errors": []}
        note = ""
        if self._pending is not None:
            action, observation, note = self._continue(observation, step)
            if action is not None:
                return action
        elif self._edit_diff is not None:
            observation = f"The edit's diff:\n{self._edit_diff}\n{observation}"
            self._edit_diff = None
        if self.log:
            self.log[-1]["observation"] = observation
        reply = self._research_step(observation, step)
        self.plan = reply["research_plan_and_status"]
        self.log.append({"action": reply["action"], "input": reply["action_input"], "observation": ""})
        action = self._start(reply["action"], reply["action_input"])
        sections = [f"**{s}:** {reply[s.lower().replace(' ', '_')]}" for s in SECTIONS[:4]]
        action.thought = "\n\n".join(([note] if note else []) + sections + [
            f"**Action:** {reply['action']} {json.dumps(reply['action_input'])}"])
        action.meta.update(step)
        action.meta["research"] = {k: reply[k] for k in ("reflection", "research_plan_and_status", "fact_check",
                                                          "thought", "action", "action_input")}
        return action

    # -- the research step ---------------------------------------------------------------------
    def _research_step(self, observation: str, step: dict[str, Any]) -> dict[str, Any]:
        self._observations = (self._observations + [observation])[-3:]
        log = "\n".join(f"Step {i}: {e['action']} {json.dumps(e['input'])[:200]} -> "
                        f"{' '.join(e['observation'].split())[:300]}" for i, e in enumerate(self.log[:-3], 1))
        recent = "\n\n".join(f"Observation:\n{o[:2000]}" for o in self._observations)
        user = (f"Research log so far:\n{log or '(nothing older)'}\n\nYour current Research Plan and Status:\n"
                f"{self.plan or '(none yet)'}\n\nThe latest observations:\n{recent}\n\nYour next reply?")
        extra: list[dict[str, Any]] = []
        as_json = self.config.reply_format == "json"
        while True:
            reply = self._complete(self.head + [{"role": "user", "content": user}] + extra, step,
                                   schema=SCHEMA if as_json and self.config.constrained else None)
            try:
                return parse_research_reply(reply.content, as_json)
            except FormatError as err:
                step["format_errors"].append(str(err))
                self.totals["format_errors"] += 1
                if self.totals["format_errors"] > self.config.format_retries:
                    raise AgentExit("format", f"{self.totals['format_errors']} replies without a usable action; "
                                              f"last: {err}") from None
                extra = [{"role": "assistant", "content": reply.content}, {"role": "user", "content": str(err)}]

    def _start(self, name: str, args: dict[str, Any]) -> Action:
        """The first cell of a high-level action (the only one for most)."""
        if name in ("Understand File", "Edit Script (AI)"):
            path = str(args.get("file_name") or args.get("script_name"))
            self._pending = (name, args, path)
            return Action(cell=f"print(open({path!r}).read())")
        if name == "Inspect Script Lines":
            start, end = int(args["start_line_number"]), int(args["end_line_number"])
            end = min(end, start + 99)  # at most 100 lines, as MLAgentBench
            return Action(cell=f"for n, line in enumerate(open({args['script_name']!r}).read().splitlines(), 1):\n"
                               f"    if {start} <= n <= {end}:\n        print(f'{{n:4d}}| {{line}}')")
        if name == "List Files":
            return Action(cell=f"!ls -la {args.get('dir_path') or '.'}")
        if name == "Execute Script":
            return Action(cell=f"%run {args['script_name']}")
        if name == "Run Cell":
            return Action(cell=str(args["code"]))
        if name == "Search Docs":
            return Action(cell=f"%docs {' '.join(str(args['query']).split())}")
        if name == "Validate":
            return Action(cell="%validate")
        return Action(cell="%submit")  # Final Answer

    def _continue(self, observation: str, step: dict[str, Any]) -> tuple[Action | None, str, str]:
        """The second part of a high-level action, given its first cell's output.

        Returns the next cell (None when the action is complete), the observation the research model
        sees of it, and a note for the notebook.
        """
        name, args, path = self._pending
        self._pending = None
        content = re.sub(r"\n?\(step \d+/\d+, \d+ min left\)$", "", observation)
        if name == "Understand File":
            question = args["things_to_look_for"]
            messages = [{"role": "system", "content": "You read files for a researcher and answer precisely."},
                        {"role": "user", "content": f"The file {path}:\n{content[:6000]}\n\nDescribe what the "
                                                    f"file shows about: {question}. Be concise and concrete."}]
            summary = self._complete(messages, step).content.strip()
            return None, summary, f"**Understand File {path}** ({question}): {summary}"
        if name == "Edit Script (AI)":
            messages = [{"role": "system", "content": "You edit Python files. Reply with the complete new file "
                                                      "in one ```python block, nothing else."},
                        {"role": "user", "content": f"The file {path}:\n```python\n{content}\n```\n\n"
                                                    f"Edit it as follows: {args['edit_instruction']}"}]
            text = self._complete(messages, step, max_tokens=max(self.config.max_output_tokens, 2048)).content
            blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
            new = blocks[0] if blocks else text
            diff = "".join(difflib.unified_diff(content.splitlines(True), new.splitlines(True), path,
                                                args["save_name"]))
            self._edit_diff = diff or "(no change)"
            return Action(cell=f"%%writefile {args['save_name']}\n{new}",
                          thought=f"**Edit Script (AI)** {path} -> {args['save_name']}: {args['edit_instruction']}"
                                  f"\n\n```diff\n{self._edit_diff[:3000]}\n```",
                          meta={**step, "research": {"action": "Edit Script (AI)", "diff": self._edit_diff}}), "", ""
        return None, observation, ""

    def observe(self, action: Action, observation: str) -> None:
        """A replayed step enters the research log."""
        self.log.append({"action": "Run Cell", "input": {"code": action.cell[:200]}, "observation": observation})
