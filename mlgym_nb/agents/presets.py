"""Agent settings that go together, by model name: one place for the embedded model's quirks."""

from __future__ import annotations

from typing import Any

from .llm import LLMAgentConfig

#: The embedded SmolLM2-135M: its chat template has no tools, it rambles, and it needs the code fence
#: opened for it on a retry (llama.cpp continues a trailing assistant message).
LOCAL = {"model": "local", "tools": "off", "prefill": "```python\n", "max_output_tokens": 384}


def agent_config(model: str = "local", **overrides: Any) -> LLMAgentConfig:
    """The LLM agent's settings for ``model`` (``local``: the embedded model), with ``overrides`` (None ignored)."""
    base = dict(LOCAL) if model == "local" else {"model": model}
    return LLMAgentConfig(**{**base, **{k: v for k, v in overrides.items() if v is not None}})
