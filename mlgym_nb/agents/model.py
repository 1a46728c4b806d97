"""The Model protocol: a chat model the LLM agent queries, and its two implementations.

``OpenAIModel`` talks to any OpenAI-compatible endpoint (the OpenAI API, the embedded llama.cpp
server, vLLM, ...); ``ScriptedModel`` answers from a list, a test double of a remote service for
tests that need neither a server nor Docker.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import openai

from .history import estimate_tokens


@dataclass
class ToolCall:
    """One native tool call in a reply."""

    id: str
    name: str
    arguments: str
    """The JSON text the model wrote (possibly malformed)."""


@dataclass
class Reply:
    """One answer of a chat model."""

    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str = "stop"
    """``stop``, ``length`` (cut at the output limit) or ``tool_calls``."""
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0


class ModelError(Exception):
    """The model could not answer. ``kind``: ``refused`` (a bad request), ``tools`` (the server takes no
    tools), ``unreachable`` (connection, timeout, server errors, after retries) or ``empty``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Model(Protocol):
    """What the LLM agent needs of a chat model."""

    name: str

    def complete(self, messages: list[dict[str, Any]], *, temperature: float, max_tokens: int,
                 tools: list[dict[str, Any]] | None = None, stop: list[str] | None = None,
                 schema: dict[str, Any] | None = None) -> Reply:
        """Answer the conversation (as JSON that fits ``schema``, when given). Raises ModelError."""


class OpenAIModel:
    """A model behind an OpenAI-compatible chat completions endpoint.

    Args:
        name: the model name the endpoint knows.
        base_url: the endpoint (default ``$OPENAI_BASE_URL``, else the OpenAI API).
        api_key: default ``$OPENAI_API_KEY`` (local servers accept anything).
        retries: retries of a failed call, with the SDK's exponential backoff.
        timeout: seconds per call.
    """

    def __init__(self, name: str, base_url: str | None = None, api_key: str | None = None, retries: int = 3,
                 timeout: float = 300.0) -> None:
        self.name, self.retries = name, retries
        self.client = openai.OpenAI(base_url=base_url or os.environ.get("OPENAI_BASE_URL"),
                                    api_key=api_key or os.environ.get("OPENAI_API_KEY") or "none",
                                    max_retries=retries, timeout=timeout)
        self.base_url = str(self.client.base_url).rstrip("/")

    def complete(self, messages: list[dict[str, Any]], *, temperature: float, max_tokens: int,
                 tools: list[dict[str, Any]] | None = None, stop: list[str] | None = None,
                 schema: dict[str, Any] | None = None) -> Reply:
        kwargs: dict[str, Any] = {"model": self.name, "messages": messages, "temperature": temperature,
                                  "max_tokens": max_tokens}
        if stop:
            kwargs["stop"] = stop
        if tools:
            kwargs["tools"] = tools
        if schema:
            kwargs["response_format"] = {"type": "json_schema",
                                         "json_schema": {"name": "action", "schema": schema, "strict": True}}
        start = time.monotonic()
        try:
            reply = self.client.chat.completions.create(**kwargs)
        except openai.BadRequestError as exc:
            kind = "tools" if tools and "tool" in str(exc).lower() else "refused"
            raise ModelError(kind, f"the endpoint {self.base_url} refused the request: {exc}") from None
        except openai.APIError as exc:
            raise ModelError("unreachable", f"{type(exc).__name__} from {self.base_url} after {self.retries} "
                                            f"retries: {exc}") from None
        took = time.monotonic() - start
        if not reply.choices:
            raise ModelError("empty", f"the endpoint {self.base_url} returned no choices")
        choice, usage = reply.choices[0], reply.usage
        message = choice.message
        calls = [ToolCall(c.id, c.function.name, c.function.arguments or "") for c in message.tool_calls or []]
        return Reply(content=message.content or "", tool_calls=calls, finish_reason=choice.finish_reason or "stop",
                     input_tokens=usage.prompt_tokens if usage else sum(estimate_tokens(str(m.get("content")))
                                                                          for m in messages),
                     output_tokens=usage.completion_tokens if usage else estimate_tokens(message.content or ""),
                     seconds=took)


class ScriptedModel:
    """Replies from a list, in order: strings (text replies), Reply objects, or ModelErrors to raise.

    Every request is kept in ``requests`` (messages, temperature, stop, tools) for tests to inspect.
    When the script runs out it raises ModelError("unreachable").
    """

    name = "scripted"

    def __init__(self, replies: list[str | Reply | ModelError]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []

    def complete(self, messages: list[dict[str, Any]], *, temperature: float, max_tokens: int,
                 tools: list[dict[str, Any]] | None = None, stop: list[str] | None = None,
                 schema: dict[str, Any] | None = None) -> Reply:
        self.requests.append({"messages": [dict(m) for m in messages], "temperature": temperature, "stop": stop,
                              "tools": tools, "schema": schema})
        if not self.replies:
            raise ModelError("unreachable", "the scripted model has no replies left")
        item = self.replies.pop(0)
        if isinstance(item, ModelError):
            raise item
        reply = Reply(content=item) if isinstance(item, str) else item
        if stop and reply.content:  # a server stops at the stop sequence and leaves it out
            for marker in stop:
                if marker in reply.content:
                    reply.content = reply.content.split(marker)[0]
        reply.input_tokens = reply.input_tokens or sum(estimate_tokens(str(m.get("content"))) for m in messages)
        reply.output_tokens = reply.output_tokens or estimate_tokens(reply.content)
        return reply
