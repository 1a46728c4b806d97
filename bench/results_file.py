"""bench/results.md is made of sections, one per benchmark script; each script rewrites only its own."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).with_name("results.md")
TITLE = "# Benchmark results\n"


def write_section(heading: str, body: str) -> None:
    """Replace (or add) the section ``## heading`` of results.md with ``body``."""
    text = RESULTS.read_text() if RESULTS.exists() else TITLE
    sections = re.split(r"(?m)^(?=## )", text)
    head, rest = sections[0], {s.splitlines()[0][3:].strip(): s.rstrip() + "\n\n" for s in sections[1:]}
    rest[heading] = f"## {heading}\n\n{body.strip()}\n\n"
    RESULTS.write_text(head.rstrip() + "\n\n" + "".join(rest.values()).rstrip() + "\n")
