"""Wall time as people read it in progress lines: ``12m05s`` since a ``time.monotonic()`` reading."""

from __future__ import annotations

import time


def since(start: float) -> str:
    elapsed = time.monotonic() - start
    return f"{int(elapsed // 60)}m{int(elapsed % 60):02d}s"
