"""What the model sees of the episode: every action, the last observations in full, within a token budget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate: about 4 characters per token for English and code."""
    return len(text) // 4 + 1


@dataclass
class Turn:
    """One step as the model saw it: its reply and what came back."""

    assistant: dict[str, Any]
    """The assistant message as sent back to the API (content and tool calls)."""
    observation: str
    """The env's observation of the action."""
    tool_call_id: str | None = None
    """Set when the action came as a native tool call: the observation is then a tool message."""


class HistoryProcessor:
    """Builds the message list: the system and task messages, then every turn.

    Observations are stubbed in blocks of ``block``: the prompt's prefix then stays the same for
    ``block`` steps at a time, so a server's prompt cache keeps it instead of reprocessing it every step.

    Args:
        keep_last: observations shown in full at least; older ones become a one-line stub.
        block: how many old observations are stubbed at once.
        max_tokens: estimated prompt tokens allowed; the oldest observations are stubbed first,
            and if even that is not enough, ``messages`` returns None (the context is exhausted).
    """

    def __init__(self, keep_last: int = 5, max_tokens: int = 6000, block: int = 5) -> None:
        self.keep_last = keep_last
        self.max_tokens = max_tokens
        self.block = max(1, block)

    @staticmethod
    def _stub(turn: Turn, index: int) -> str:
        lines = turn.observation.count("\n") + 1
        return f"[output of step {index + 1} omitted: {lines} lines]"

    def _build(self, head: list[dict], turns: list[Turn], full_from: int) -> list[dict]:
        messages = list(head)
        for i, turn in enumerate(turns):
            messages.append(turn.assistant)
            text = turn.observation if i >= full_from else self._stub(turn, i)
            if turn.tool_call_id:
                messages.append({"role": "tool", "tool_call_id": turn.tool_call_id, "content": text})
            else:
                messages.append({"role": "user", "content": text})
        return messages

    def messages(self, head: list[dict], turns: list[Turn]) -> list[dict] | None:
        full_from = max(0, len(turns) - self.keep_last) // self.block * self.block
        while True:
            messages = self._build(head, turns, full_from)
            if sum(estimate_tokens(str(m.get("content") or "")) + 4 for m in messages) <= self.max_tokens:
                return messages
            if full_from >= len(turns):
                return None
            full_from += 1
