"""The LLM agent: any OpenAI-compatible chat endpoint, native tool calls with a text fallback."""

from __future__ import annotations

import os
import time
import warnings
from typing import Any

import openai
from pydantic import BaseModel, ConfigDict, Field

from ..tasks import TaskSpec
from .base import Action, AgentExit
from .history import HistoryProcessor, Turn, estimate_tokens
from .memory import MEMORY_TOOLS, MEMORY_TOOLS_SPEC, MemoryStore
from .parsing import FormatError, parse_text_reply, parse_tool_calls
from .prompts import NEXT, SYSTEM, TEXT_FORMAT, TOOLS

#: USD per million (input, output) tokens. Models not listed have no enforced cost.
PRICES: dict[str, tuple[float, float]] = {
    "local": (0.0, 0.0),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "o3-mini": (1.10, 4.40),
}


class LLMAgentConfig(BaseModel):
    """Settings of the LLM agent, recorded in the episode notebook."""

    model_config = ConfigDict(extra="forbid")

    model: str = "local"
    """Model name sent to the endpoint (``local``: the embedded server's model)."""
    base_url: str | None = None
    """OpenAI-compatible endpoint; default ``$OPENAI_BASE_URL`` or the OpenAI API."""
    tools: str = Field("auto", pattern="^(auto|on|off)$")
    """Native tool calls: ``on``, ``off`` (text protocol only) or ``auto`` (offer tools, accept text)."""
    temperature: float = 0.0
    retry_temperature: float = 0.7
    """Sampling temperature of re-queries after a reply without an action: at the same low
    temperature a model tends to repeat the same broken reply."""
    max_output_tokens: int = 1024
    """Tokens the model may write per reply."""
    context_tokens: int = 8192
    """The model's context window; the history is trimmed to fit it with the reply."""
    keep_last: int = 5
    """Observations shown in full; older ones become one-line stubs."""
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
    prefill: str | None = None
    """After a reply without an action, retry with the assistant's reply started with this text
    (e.g. an opening code fence). Only for servers that continue a trailing assistant message,
    such as llama.cpp's; the embedded model uses it."""


class LLMAgent:
    """An agent that asks a chat model for each cell."""

    def __init__(self, config: LLMAgentConfig | None = None, **overrides: Any) -> None:
        self.config = (config or LLMAgentConfig()).model_copy(update=overrides)
        cfg = self.config
        self.client = openai.OpenAI(base_url=cfg.base_url or os.environ.get("OPENAI_BASE_URL"),
                                    api_key=os.environ.get("OPENAI_API_KEY") or "none",
                                    max_retries=cfg.api_retries, timeout=cfg.timeout)
        self.history = HistoryProcessor(cfg.keep_last, cfg.context_tokens - cfg.max_output_tokens)
        price = PRICES.get(cfg.model)
        if cfg.price_in is not None and cfg.price_out is not None:
            price = (cfg.price_in, cfg.price_out)
        if price is None:
            warnings.warn(f"mlgym_nb: no price known for model {cfg.model!r}: cost is recorded as unknown and "
                          "max_cost is not enforced (set price_in and price_out)", RuntimeWarning, stacklevel=2)
        self.price = price
        self.use_tools = cfg.tools != "off"
        self.memory: MemoryStore | None = None
        self._reset_state()

    def _reset_state(self) -> None:
        self.head: list[dict[str, Any]] = []
        self.turns: list[Turn] = []
        self._pending: tuple[dict[str, Any], str | None] | None = None
        self.totals = {"input_tokens": 0, "output_tokens": 0, "cost": 0.0 if self.price else None, "calls": 0,
                       "format_errors": 0, "model_seconds": 0.0}

    # -- Agent protocol --------------------------------------------------------------------
    def reset(self, task: TaskSpec, observation: str) -> None:
        self._reset_state()
        self.memory = MemoryStore.for_task(task.id) if self.config.memory else None
        system = SYSTEM + "\n\n" + (TEXT_FORMAT if self.config.tools != "on" else "")
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
        step = {"input_tokens": 0, "output_tokens": 0, "cost": 0.0 if self.price else None, "calls": 0,
                "model_seconds": 0.0, "format_errors": []}
        extra: list[dict[str, Any]] = []  # corrections and memory exchanges of this turn only
        memory_log: list[dict[str, Any]] = []
        while True:
            self._check_budgets()
            messages = self.history.messages(self.head, self.turns)
            if messages is None:
                raise AgentExit("context", "the history no longer fits the model's context window")
            prefill = extra[-1]["content"] if extra and extra[-1]["role"] == "assistant" else ""
            # A prefilled open fence: stop where the model closes it, rather than let it ramble on.
            stop = ["```"] if prefill.count("```") % 2 == 1 else None
            choice = self._query(messages + extra, step, retry=bool(step["format_errors"]), stop=stop)
            message = choice.message
            if prefill and not (message.content or "").startswith(prefill):
                message.content = prefill + (message.content or "")  # servers differ in echoing the prefill
            if stop and choice.finish_reason == "stop" and message.content.count("```") % 2 == 1:
                message.content += "\n```"  # the stop sequence itself is not returned
            calls = list(message.tool_calls or [])
            assistant = _assistant_message(message)
            memory_calls = [c for c in calls if c.function.name in MEMORY_TOOLS]
            if memory_calls and len(calls) == 1 and self.memory is not None:
                result = self.memory.call(calls[0].function.name, calls[0].function.arguments)
                memory_log.append({"tool": calls[0].function.name, "arguments": calls[0].function.arguments,
                                   "result": result})
                extra += [assistant, {"role": "tool", "tool_call_id": calls[0].id, "content": result}]
                if len(memory_log) > 3:
                    raise AgentExit("format", "more than 3 memory calls in one turn without an action")
                continue
            try:
                action = (parse_tool_calls(calls, message.content) if calls
                          else parse_text_reply(message.content, cut=choice.finish_reason == "length"))
            except FormatError as err:
                step["format_errors"].append(str(err))
                self.totals["format_errors"] += 1
                if self.totals["format_errors"] > self.config.format_retries:
                    raise AgentExit("format", f"{self.totals['format_errors']} replies without a usable action; "
                                              f"last: {err}") from None
                if calls:
                    extra += [assistant] + [{"role": "tool", "tool_call_id": c.id, "content": str(err)} for c in calls]
                elif self.config.prefill:
                    extra = [{"role": "assistant", "content": self.config.prefill}]
                else:
                    extra += [assistant, {"role": "user", "content": str(err)}]
                continue
            if calls:
                # One call answered by the observation; keep only that call in the history.
                assistant = {**assistant, "tool_calls": [assistant["tool_calls"][0]]}
            self._pending = (assistant, calls[0].id if calls else None)
            if memory_log:
                action.meta["memory"] = memory_log
                action.thought = "\n".join([action.thought] + [f"*{m['tool']}({m['arguments']})*: {m['result']}"
                                                               for m in memory_log]).strip()
            action.meta.update(step)
            return action

    def observe(self, action: Action, observation: str) -> None:
        """Take a replayed step (resume, fork) into the history as if the model had made it."""
        fence = f"```python\n{action.cell}\n```"
        content = f"{action.thought}\n\n{fence}".strip()
        self.turns.append(Turn({"role": "assistant", "content": content}, self._with_next(observation)))

    def describe(self) -> dict[str, Any]:
        return {"name": "llm", "class": f"{type(self).__module__}.{type(self).__qualname__}",
                "config": self.config.model_dump(), "tools_used": self.use_tools}

    def usage(self) -> dict[str, Any]:
        return dict(self.totals)

    # -- helpers ---------------------------------------------------------------------------
    def _with_next(self, observation: str) -> str:
        return observation + NEXT if self.config.tools != "on" else observation

    def _check_budgets(self) -> None:
        cfg, totals = self.config, self.totals
        if cfg.max_tokens is not None and totals["input_tokens"] + totals["output_tokens"] >= cfg.max_tokens:
            raise AgentExit("cost", f"token budget of {cfg.max_tokens} spent")
        if cfg.max_cost is not None and totals["cost"] is not None and totals["cost"] >= cfg.max_cost:
            raise AgentExit("cost", f"cost budget of ${cfg.max_cost:g} spent")

    def _query(self, messages: list[dict[str, Any]], step: dict[str, Any], retry: bool = False,
               stop: list[str] | None = None) -> Any:
        cfg = self.config
        temperature = max(cfg.temperature, cfg.retry_temperature) if retry else cfg.temperature
        kwargs: dict[str, Any] = {"model": cfg.model, "messages": messages, "temperature": temperature,
                                  "max_tokens": cfg.max_output_tokens}
        if stop:
            kwargs["stop"] = stop
        if self.use_tools:
            kwargs["tools"] = TOOLS + (MEMORY_TOOLS_SPEC if self.memory is not None else [])
        start = time.monotonic()
        try:
            reply = self.client.chat.completions.create(**kwargs)
        except openai.BadRequestError as exc:
            if self.use_tools and cfg.tools == "auto" and "tool" in str(exc).lower():
                self.use_tools = False  # this server takes no tools: the text protocol it is
                return self._query(messages, step, retry, stop)
            raise AgentExit("api_error", f"the endpoint refused the request: {exc}") from None
        except openai.APIError as exc:
            raise AgentExit("api_error", f"{type(exc).__name__} after {cfg.api_retries} retries: {exc}") from None
        took = time.monotonic() - start
        if not reply.choices:
            raise AgentExit("api_error", "the endpoint returned no choices")
        usage = reply.usage
        tokens_in = usage.prompt_tokens if usage else sum(estimate_tokens(str(m.get("content"))) for m in messages)
        tokens_out = usage.completion_tokens if usage else estimate_tokens(reply.choices[0].message.content or "")
        cost = None if self.price is None else (tokens_in * self.price[0] + tokens_out * self.price[1]) / 1e6
        for bucket in (step, self.totals):
            bucket["input_tokens"] += tokens_in
            bucket["output_tokens"] += tokens_out
            bucket["calls"] += 1
            bucket["model_seconds"] = round(bucket["model_seconds"] + took, 3)
            if cost is not None:
                bucket["cost"] = round(bucket["cost"] + cost, 6)
        return reply.choices[0]


def _assistant_message(message: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"role": "assistant", "content": message.content or ""}
    if message.tool_calls:
        out["tool_calls"] = [{"id": c.id, "type": "function",
                              "function": {"name": c.function.name, "arguments": c.function.arguments}}
                             for c in message.tool_calls]
    return out

