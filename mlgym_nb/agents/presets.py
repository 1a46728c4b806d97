"""Agent settings that go together, by model name: one place for the embedded model's quirks."""

from __future__ import annotations

from typing import Any

from .llm import LLMAgentConfig

#: The embedded model (SmolLM2-135M by default): its chat template has no tools and it rambles, so it
#: replies in JSON with decoding constrained by llama.cpp to the reply's schema, its strings bounded so that
#: the reply always fits the token limit: always one well-formed action.
LOCAL = {"model": "local", "tools": "off", "reply_format": "json", "constrained": True, "bounded": True,
         "max_output_tokens": 3072}


def agent_config(model: str = "local", **overrides: Any) -> LLMAgentConfig:
    """The LLM agent's settings for ``model`` (``local``: the embedded model), with ``overrides`` (None ignored)."""
    base = dict(LOCAL) if model == "local" else {"model": model}
    return LLMAgentConfig(**{**base, **{k: v for k, v in overrides.items() if v is not None}})
