"""The LLM agent: a chat model (the Model protocol) asked for each cell, native tool calls or a text protocol.

One turn is: query the model (``_query``), parse its reply into an Action (``parsing``), and on a
reply without a usable action apply the retry policy (``_correction``): a corrective message or a
prefilled restart, sampled at a higher temperature, within a per-episode format budget. Memory tool
calls are answered inside the turn. Budgets (tokens, dollars) are checked before every query.
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..tasks import TaskSpec
from .base import Action, AgentExit
from .history import HistoryProcessor, Turn
from .literature import LITERATURE_TOOL, ArxivSearch, LiteratureSearch, format_papers
from .memory import MEMORY_TOOLS, MEMORY_TOOLS_SPEC, MemoryStore
from .model import Model, ModelError, OpenAIModel, Reply, ToolCall
from .parsing import FormatError, parse_json_reply, parse_text_reply, parse_tool_calls
from .prompts import JSON_FORMAT, NEXT, NEXT_JSON, REPEATED, SYSTEM, TEXT_FORMAT, TOOLS, reply_schema

#: USD per million (input, output) tokens. Models not listed have no enforced cost.
PRICES: dict[str, tuple[float, float]] = {
    "local": (0.0, 0.0),
    "scripted": (0.0, 0.0),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "o3-mini": (1.10, 4.40),
}
MAX_MEMORY_CALLS = 3
_FOOTER = re.compile(r"\(step \d+/\d+, \d+ min left\)\s*$")


class LLMAgentConfig(BaseModel):
    """Settings of the LLM agent, recorded in the episode notebook."""

    model_config = ConfigDict(extra="forbid")

    model: str = "local"
    """Model name sent to the endpoint (``local``: the embedded server's model)."""
    base_url: str | None = None
    """OpenAI-compatible endpoint; default ``$OPENAI_BASE_URL`` or the OpenAI API."""
    tools: str = Field("auto", pattern="^(auto|on|off)$")
    """Native tool calls: ``on``, ``off`` (the reply format only) or ``auto`` (offer tools, accept replies)."""
    reply_format: str = Field("text", pattern="^(text|json)$")
    """Without tool calls: ``text`` (reasoning and one fenced block) or ``json`` (one JSON object: thought,
    action run / write / edit / validate / submit, code, path, lines)."""
    constrained: bool = False
    """Ask the server to constrain decoding to the JSON reply's schema (``response_format``; llama.cpp and
    OpenAI's structured outputs support it): a reply is then always one well-formed action."""
    repeat_limit: int = 3
    """Identical actions on identical observations in a row before the episode ends with ``repetition``;
    the first repeat gets a corrective message and a re-query at the retry temperature."""
    temperature: float = 0.0
    retry_temperature: float = 0.7
    """Sampling temperature of re-queries after a reply without an action: at the same low
    temperature a model tends to repeat the same broken reply."""
    max_output_tokens: int = 1024
    """Tokens the model may write per reply."""
    context_tokens: int = 8192
    """The model's context window; the history is trimmed to fit it with the reply."""
    keep_last: int = 5
    """Observations shown in full at least; older ones become one-line stubs, in blocks of ``stub_block``."""
    stub_block: int = 5
    """Old observations stubbed at once: the prompt's prefix stays stable (and a server's cache of it valid)
    for this many steps."""
    format_retries: int = 5
    """Replies without a usable action tolerated per episode before exiting with ``format``."""
    max_tokens: int | None = None
    """Budget of input + output tokens for the episode (None: unlimited)."""
    max_cost: float | None = None
    """Budget in USD for the episode; enforced only when the model's price is known."""
    price_in: float | None = None
    """USD per million input tokens (overrides the table)."""
    price_out: float | None = None
    """USD per million output tokens (overrides the table)."""
    api_retries: int = 3
    """Retries of a failed API call (with exponential backoff) before exiting with ``api_error``."""
    timeout: float = 300.0
    """Seconds per API call."""
    memory: bool = True
    """Offer the memory tools (memory_write, memory_read), persisted per task across episodes."""
    literature: str | None = Field(None, pattern="^arxiv$")
    """Offer the literature_search tool, answered on the driver's side (``arxiv``: the arXiv API; needs the
    network, which kernels never have)."""
    bounded: bool = False
    """With ``constrained``: bound the reply's strings so that it always fits ``max_output_tokens``
    (needs a server that honours ``maxLength``, as llama.cpp does; the embedded model uses it)."""
    prefill: str | None = None
    """After a reply without an action, retry with the assistant's reply started with this text
    (e.g. an opening code fence). Only for servers that continue a trailing assistant message,
    such as llama.cpp's; the embedded model uses it."""


class LLMAgent:
    """An agent that asks a chat model for each cell.

    Args:
        config: the settings (overridden by keyword arguments).
        model: the chat model; default an OpenAIModel for ``config.model`` at ``config.base_url``.
    """

    def __init__(self, config: LLMAgentConfig | None = None, model: Model | None = None,
                 literature: LiteratureSearch | None = None, **overrides: Any) -> None:
        self.config = (config or LLMAgentConfig()).model_copy(update=overrides)
        cfg = self.config
        self.literature = literature or (ArxivSearch() if cfg.literature == "arxiv" else None)
        self.model: Model = model or OpenAIModel(cfg.model, cfg.base_url, retries=cfg.api_retries, timeout=cfg.timeout)
        self.history = HistoryProcessor(cfg.keep_last, cfg.context_tokens - cfg.max_output_tokens, cfg.stub_block)
        price = PRICES.get(cfg.model)
        if cfg.price_in is not None and cfg.price_out is not None:
            price = (cfg.price_in, cfg.price_out)
        if price is None:
            warnings.warn(f"mlgym_nb: no price known for model {cfg.model!r}: cost is recorded as unknown and "
                          "max_cost is not enforced (set --price-in and --price-out, in USD per million tokens)",
                          RuntimeWarning, stacklevel=2)
        self.price = price
        self.use_tools = cfg.tools != "off"
        self.memory: MemoryStore | None = None
        self._reset_state()

    def _reset_state(self) -> None:
        self.head: list[dict[str, Any]] = []
        self.turns: list[Turn] = []
        self._pending: tuple[dict[str, Any], str | None] | None = None
        self.totals = self._usage()
        self.totals["format_errors"] = 0
        self.totals["repeats"] = 0
        self._last: tuple[str, str] | None = None  # (observation, cell) of the previous action
        self._repeats = 0

    def _usage(self) -> dict[str, Any]:
        return {"input_tokens": 0, "output_tokens": 0, "cost": 0.0 if self.price else None, "calls": 0,
                "model_seconds": 0.0}

    # -- Agent protocol --------------------------------------------------------------------
    def reset(self, task: TaskSpec, observation: str) -> None:
        self._reset_state()
        self.memory = MemoryStore.for_task(task.id) if self.config.memory else None
        reply_format = JSON_FORMAT if self.config.reply_format == "json" else TEXT_FORMAT
        system = SYSTEM + "\n\n" + (reply_format if self.config.tools != "on" else "")
        if self.memory is not None:
            system += ("\n\nYou have a memory that persists across episodes of this task: memory_write(text, tags) "
                       "saves a finding, memory_read(query) recalls the closest ones.")
        self.head = [{"role": "system", "content": system.strip()},
                     {"role": "user", "content": self._with_next(observation)}]

    def act(self, observation: str) -> Action:
        if self._pending is not None:
            assistant, call_id = self._pending
            self.turns.append(Turn(assistant, observation if call_id else self._with_next(observation), call_id))
            self._pending = None
        step = {**self._usage(), "format_errors": []}
        extra: list[dict[str, Any]] = []  # corrections and memory exchanges of this turn only
        memory_log: list[dict[str, Any]] = []
        while True:
            reply, prefill = self._query(extra, step)
            assistant = _assistant_message(reply)
            if self._answer_memory(reply, assistant, extra, memory_log):
                continue
            try:
                action = self._parse(reply)
            except FormatError as err:
                extra = self._correction(err, reply, assistant, extra, step)
                continue
            if self._repeated(observation, action, assistant, extra, step):
                extra = extra + [assistant, {"role": "user", "content": REPEATED}]
                continue
            if reply.tool_calls:  # one call answered by the observation; keep only that call in the history
                assistant = {**assistant, "tool_calls": [assistant["tool_calls"][0]]}
            self._pending = (assistant, reply.tool_calls[0].id if reply.tool_calls else None)
            if memory_log:
                action.meta["memory"] = memory_log
                action.thought = "\n".join([action.thought] + [f"*{m['tool']}({m['arguments']})*: {m['result']}"
                                                               for m in memory_log]).strip()
            action.meta.update(step)
            return action

    def replace_last(self, action: Action) -> None:
        """A person ran ``action`` instead of the proposal: the history shows what ran."""
        if self._pending is None:
            return
        assistant, call_id = self._pending
        if call_id:
            call = {"id": call_id, "type": "function",
                    "function": {"name": "run_cell", "arguments": json.dumps({"code": action.cell})}}
            assistant = {**assistant, "tool_calls": [call]}
        elif self.config.reply_format == "json":
            assistant = {**assistant, "content": json.dumps({"thought": action.thought, "action": "run",
                                                             "code": action.cell})}
        else:
            assistant = {**assistant, "content": f"{action.thought}\n\n```python\n{action.cell}\n```".strip()}
        self._pending = (assistant, call_id)

    def observe(self, action: Action, observation: str) -> None:
        """Take a replayed step (resume, fork) into the history as if the model had made it."""
        if self.config.reply_format == "json":
            content = json.dumps({"thought": action.thought, "action": "run", "code": action.cell})
        else:
            content = f"{action.thought}\n\n```python\n{action.cell}\n```".strip()
        self.turns.append(Turn({"role": "assistant", "content": content}, self._with_next(observation)))

    def describe(self) -> dict[str, Any]:
        return {"name": "llm", "class": f"{type(self).__module__}.{type(self).__qualname__}",
                "model_class": f"{type(self.model).__module__}.{type(self.model).__qualname__}",
                "config": self.config.model_dump(), "tools_used": self.use_tools}

    def usage(self) -> dict[str, Any]:
        return dict(self.totals)

    # -- one turn: query, parse, memory, retry policy ------------------------------------------
    def _parse(self, reply: Reply) -> Action:
        if reply.tool_calls:
            return parse_tool_calls(reply.tool_calls, reply.content)
        if self.config.reply_format == "json":
            return parse_json_reply(reply.content)
        return parse_text_reply(reply.content, cut=reply.finish_reason == "length")

    def _repeated(self, observation: str, action: Action, assistant: dict[str, Any], extra: list[dict[str, Any]],
                  step: dict[str, Any]) -> bool:
        """Whether to answer the action with a correction: the same cell again on the same observation.

        The first repeat in a row is corrected (and re-queried at the retry temperature); the
        ``repeat_limit``-th ends the episode with ``repetition``. A repeat after a correction is let through.
        """
        key = (_FOOTER.sub("", observation), action.cell)  # the step counter in the footer always changes
        if key != self._last:
            self._last, self._repeats = key, 0
            return False
        self._repeats += 1
        self.totals["repeats"] += 1
        if self._repeats + 1 >= self.config.repeat_limit:
            raise AgentExit("repetition", f"the same cell {self._repeats + 1} times in a row on the same output: "
                                          f"{action.cell.splitlines()[0][:80] if action.cell else ''!r}")
        step["repeats"] = step.get("repeats", 0) + 1
        return not any(m.get("content") == REPEATED for m in extra)


    def _query(self, extra: list[dict[str, Any]], step: dict[str, Any]) -> tuple[Reply, str]:
        """Ask the model; returns its reply (with a prefill put back in front) and the prefill used."""
        messages = self.history.messages(self.head, self.turns)
        if messages is None:
            raise AgentExit("context", "the history no longer fits the model's context window")
        prefill = extra[-1]["content"] if extra and extra[-1]["role"] == "assistant" else ""
        # A prefilled open fence: stop where the model closes it, rather than let it ramble on.
        stop = ["```"] if prefill.count("```") % 2 == 1 else None
        cfg = self.config
        tools = self._tools() if self.use_tools else None
        schema = None
        if cfg.constrained and cfg.reply_format == "json" and not tools:
            schema = reply_schema(cfg.max_output_tokens if cfg.bounded else None)
        try:
            reply = self._complete(messages + extra, step, tools=tools, stop=stop, schema=schema)
        except ModelError:  # the server takes no tools: the reply format it is
            self.use_tools = False
            return self._query(extra, step)
        if prefill and not reply.content.startswith(prefill):
            reply.content = prefill + reply.content  # servers differ in echoing the prefill
        if stop and reply.finish_reason == "stop" and reply.content.count("```") % 2 == 1:
            reply.content += "\n```"  # the stop sequence itself is not returned
        return reply, prefill

    def _complete(self, messages: list[dict[str, Any]], step: dict[str, Any], tools: list[dict[str, Any]] | None = None,
                  stop: list[str] | None = None, schema: dict[str, Any] | None = None,
                  max_tokens: int | None = None) -> Reply:
        """One model call within the budgets, counted in ``step`` and the totals; a retry samples hotter.

        Raises AgentExit (budgets, api_error); re-raises ModelError("tools") when tools may be dropped.
        """
        self._check_budgets()
        cfg = self.config
        retry = step["format_errors"] or step.get("repeats")
        temperature = max(cfg.temperature, cfg.retry_temperature) if retry else cfg.temperature
        try:
            reply = self.model.complete(messages, tools=tools, stop=stop, temperature=temperature, schema=schema,
                                        max_tokens=max_tokens or cfg.max_output_tokens)
        except ModelError as exc:
            if exc.kind == "tools" and tools and cfg.tools == "auto":
                raise
            raise AgentExit("api_error", str(exc)) from None
        self._count(reply, step)
        return reply

    def _tools(self) -> list[dict[str, Any]]:
        return (TOOLS + (MEMORY_TOOLS_SPEC if self.memory is not None else [])
                + ([LITERATURE_TOOL] if self.literature is not None else []))

    def _answer_memory(self, reply: Reply, assistant: dict[str, Any], extra: list[dict[str, Any]],
                       log: list[dict[str, Any]]) -> bool:
        """Answer a lone memory or literature tool call within the turn; True when one was answered."""
        calls = reply.tool_calls
        if len(calls) != 1 or calls[0].name not in (*MEMORY_TOOLS, "literature_search"):
            return False
        call = calls[0]
        if call.name == "literature_search" and self.literature is not None:
            try:
                query = str(json.loads(call.arguments or "{}").get("query", ""))
                result = format_papers(self.literature.search(query))
            except (ValueError, AttributeError) as exc:
                result = f"literature_search: bad arguments ({exc})"
            except OSError as exc:
                result = f"literature_search is unavailable: {exc}"
        elif call.name in MEMORY_TOOLS and self.memory is not None:
            result = self.memory.call(call.name, call.arguments)
        else:
            return False
        log.append({"tool": call.name, "arguments": call.arguments, "result": result})
        extra += [assistant, {"role": "tool", "tool_call_id": call.id, "content": result}]
        if len(log) > MAX_MEMORY_CALLS:
            raise AgentExit("format", f"more than {MAX_MEMORY_CALLS} tool calls in one turn without an action")
        return True

    def _correction(self, err: FormatError, reply: Reply, assistant: dict[str, Any], extra: list[dict[str, Any]],
                    step: dict[str, Any]) -> list[dict[str, Any]]:
        """The retry policy after a reply without a usable action: the messages to add for the next query."""
        step["format_errors"].append(str(err))
        self.totals["format_errors"] += 1
        if self.totals["format_errors"] > self.config.format_retries:
            raise AgentExit("format", f"{self.totals['format_errors']} replies without a usable action; "
                                      f"last: {err}") from None
        if reply.tool_calls:
            return extra + [assistant] + [{"role": "tool", "tool_call_id": c.id, "content": str(err)}
                                          for c in reply.tool_calls]
        if self.config.prefill:  # start the reply for the model: it only has to write the cell
            return [{"role": "assistant", "content": self.config.prefill}]
        return extra + [assistant, {"role": "user", "content": str(err)}]

    # -- bookkeeping ---------------------------------------------------------------------------
    def _with_next(self, observation: str) -> str:
        if self.config.tools == "on":
            return observation
        return observation + (NEXT_JSON if self.config.reply_format == "json" else NEXT)

    def _check_budgets(self) -> None:
        cfg, totals = self.config, self.totals
        if cfg.max_tokens is not None and totals["input_tokens"] + totals["output_tokens"] >= cfg.max_tokens:
            raise AgentExit("cost", f"token budget of {cfg.max_tokens} spent")
        if cfg.max_cost is not None and totals["cost"] is not None and totals["cost"] >= cfg.max_cost:
            raise AgentExit("cost", f"cost budget of ${cfg.max_cost:g} spent")

    def _count(self, reply: Reply, step: dict[str, Any]) -> None:
        cost = None if self.price is None else (reply.input_tokens * self.price[0]
                                                + reply.output_tokens * self.price[1]) / 1e6
        for bucket in (step, self.totals):
            bucket["input_tokens"] += reply.input_tokens
            bucket["output_tokens"] += reply.output_tokens
            bucket["calls"] += 1
            bucket["model_seconds"] = round(bucket["model_seconds"] + reply.seconds, 3)
            if cost is not None:
                bucket["cost"] = round(bucket["cost"] + cost, 6)


def _assistant_message(reply: Reply) -> dict[str, Any]:
    out: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.tool_calls:
        out["tool_calls"] = [{"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                             for c in reply.tool_calls]
    return out


__all__ = ["PRICES", "LLMAgent", "LLMAgentConfig", "ToolCall"]
