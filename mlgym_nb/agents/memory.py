"""Memory across episodes of a task: findings with tags, recalled by TF-IDF similarity.

Retrieval is TF-IDF with cosine similarity over words, written out here: no embedding model is
needed offline. Entries live in ``<cache>/memory/<task>.jsonl`` (``$MLGYM_MEMORY_DIR`` overrides).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections import Counter
from pathlib import Path

from ..paths import cache_dir

MEMORY_TOOLS = ("memory_write", "memory_read")
MEMORY_TOOLS_SPEC = [
    {"type": "function", "function": {
        "name": "memory_write", "description": "Save a finding for later episodes of this task.",
        "parameters": {"type": "object", "properties": {
            "text": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}},
            "required": ["text"]}}},
    {"type": "function", "function": {
        "name": "memory_read", "description": "Recall the saved findings closest to a query.",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}},
]
_WORD = re.compile(r"[a-z0-9_]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class MemoryStore:
    """Append-only findings of one task, searchable by similarity."""

    method = "tf-idf"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def for_task(cls, task_id: str) -> MemoryStore:
        root = Path(os.environ.get("MLGYM_MEMORY_DIR") or cache_dir() / "memory")
        return cls(root / f"{task_id}.jsonl")

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def write(self, text: str, tags: list[str] | None = None) -> dict:
        entry = {"text": text, "tags": list(tags or []),
                 "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as out:
            out.write(json.dumps(entry) + "\n")
        return entry

    def read(self, query: str, k: int = 2) -> list[tuple[float, dict]]:
        """The k entries most similar to the query (text and tags), best first."""
        entries = self.entries()
        docs = [Counter(_words(e["text"] + " " + " ".join(e["tags"]))) for e in entries]
        n = len(docs)
        df = Counter(word for doc in docs for word in doc)

        def vector(counts: Counter) -> dict[str, float]:
            return {w: c * (math.log((1 + n) / (1 + df[w])) + 1) for w, c in counts.items()}

        def cosine(a: dict[str, float], b: dict[str, float]) -> float:
            dot = sum(v * b.get(w, 0.0) for w, v in a.items())
            norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
            return dot / norm if norm else 0.0

        q = vector(Counter(_words(query)))
        scored = sorted(((cosine(q, vector(doc)), e) for doc, e in zip(docs, entries, strict=True)),
                        key=lambda x: -x[0])
        return [(round(s, 3), e) for s, e in scored[:k] if s > 0]

    def call(self, name: str, arguments: str) -> str:
        """Run a memory tool call; returns the text the model sees (errors included, never raises)."""
        try:
            args = json.loads(arguments or "{}")
        except json.JSONDecodeError:
            return f"{name}: the arguments are not valid JSON"
        if name == "memory_write":
            if not isinstance(args.get("text"), str) or not args["text"].strip():
                return "memory_write needs a non-empty `text`"
            self.write(args["text"], [str(t) for t in args.get("tags") or []])
            return "saved"
        hits = self.read(str(args.get("query", "")))
        if not hits:
            return "no matching memories"
        return "\n".join(f"[{score}] {e['text']} (tags: {', '.join(e['tags']) or '-'})" for score, e in hits)
