"""Turn a model's reply into an Action, or a FormatError that tells the model what to fix."""

from __future__ import annotations

import json
import re

from ..actions import Action, harness_action
from .model import ToolCall

ACTION_TOOLS = ("run_cell", "docs_search", "validate", "submit")
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[ \t]*\n(.*?)```", re.S)


class FormatError(ValueError):
    """A reply with no usable action; the message is shown to the model as a correction."""


def parse_text_reply(text: str | None, cut: bool = False) -> Action:
    """Reasoning plus exactly one fenced code block (or a bare ``%validate`` / ``%submit`` line).

    ``cut`` says the reply stopped at the output token limit, which explains an unclosed block.
    """
    if not text or not text.strip():
        raise FormatError("Your reply was empty. Reply with your reasoning, then exactly one fenced ```python block.")
    blocks = [(lang.lower(), body) for lang, body in _FENCE.findall(text)]
    blocks = [(lang, body) for lang, body in blocks if lang in ("", "python", "py", "ipython", "python3")]
    if len(blocks) > 1:
        raise FormatError(f"Your reply had {len(blocks)} code blocks; one action per turn. Reply again with "
                          "exactly one fenced ```python block.")
    if blocks:
        code = blocks[0][1].strip("\n")
        if not code.strip():
            raise FormatError("Your code block was empty. Put the cell to run inside the ```python block.")
        thought = _FENCE.sub("", text).strip()
        return Action(cell=code, thought=thought)
    bare = [line.strip() for line in text.splitlines() if harness_action(line)]
    if len(bare) == 1:
        return Action(cell=bare[0], thought=text.replace(bare[0], "").strip())
    if cut and text.count("```") % 2 == 1:
        raise FormatError("Your reply reached the output token limit before its code block was closed. Write a "
                          "shorter cell (split long work over several cells).")
    raise FormatError("Your reply had no action. End it with exactly one fenced ```python block holding the cell "
                      "to run (or `%validate`, or `%submit`).")


def parse_json_reply(text: str | None) -> Action:
    """The JSON reply (prompts.JSON_FORMAT): run / write / edit / validate / submit, as the cell it runs.

    An edit is recorded as the cell that makes it (``%%writefile``, ``%%edit``), so the notebook shows it.
    """
    try:
        reply = json.loads(text or "")
    except json.JSONDecodeError as exc:
        raise FormatError(f"Your reply is not a JSON object ({exc.msg} at {exc.pos}); reply with one JSON object "
                          "with the keys thought, action and code.") from None
    if not isinstance(reply, dict) or not isinstance(reply.get("action"), str):
        raise FormatError("Your reply must be one JSON object with the keys thought, action and code.")
    action, code = reply["action"], reply.get("code") if isinstance(reply.get("code"), str) else ""
    thought = str(reply.get("thought") or "").strip()
    if action in ("validate", "submit"):
        return Action(cell=f"%{action}", thought=thought, meta={"reply": action})
    path = str(reply.get("path") or "").strip()
    if action == "run":
        if not code.strip():
            raise FormatError('The action "run" needs the cell in "code".')
        return Action(cell=code, thought=thought, meta={"reply": action})
    if action in ("write", "edit") and (not path or any(c.isspace() for c in path)):
        raise FormatError(f'The action "{action}" needs a file name without spaces in "path".')
    if action == "write":
        return Action(cell=f"%%writefile {path}\n{code}", thought=thought, meta={"reply": action})
    if action == "edit":
        start, end = reply.get("start"), reply.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or start < 0 or end < start - 1:
            raise FormatError('The action "edit" needs whole line numbers "start" <= "end" (1-based, inclusive).')
        return Action(cell=f"%%edit {path} {start}-{end}\n{code}", thought=thought, meta={"reply": action})
    raise FormatError(f'There is no action "{action}"; use run, write, edit, validate or submit.')


def parse_tool_calls(calls: list[ToolCall], content: str | None) -> Action:
    """Exactly one call of run_cell(code) / validate() / submit(); memory tools are handled by the agent."""
    if len(calls) != 1:
        raise FormatError(f"You called {len(calls)} tools at once; call exactly one tool per turn.")
    call = calls[0]
    name, raw = call.name, call.arguments or "{}"
    try:
        args = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise FormatError(f"The arguments of {name} are not valid JSON ({exc.msg} at {exc.pos}); send a JSON "
                          "object such as {\"code\": \"print(1)\"}.") from None
    if not isinstance(args, dict):
        raise FormatError(f"The arguments of {name} must be a JSON object, got {type(args).__name__}.")
    thought = (content or "").strip()
    if name == "run_cell":
        code = args.get("code")
        if not isinstance(code, str) or not code.strip():
            raise FormatError("run_cell needs a non-empty string argument `code`.")
        return Action(cell=code, thought=thought, meta={"tool": name})
    if name in ("validate", "submit"):
        return Action(cell=f"%{name}", thought=thought, meta={"tool": name})
    if name == "docs_search":
        query = args.get("query")
        if not isinstance(query, str) or not query.strip():
            raise FormatError("docs_search needs a non-empty string argument `query`.")
        return Action(cell=f"%docs {' '.join(query.split())}", thought=thought, meta={"tool": name})
    raise FormatError(f"There is no tool {name!r}; the tools are: {', '.join(ACTION_TOOLS)} and the memory tools.")
