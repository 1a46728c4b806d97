"""Per-cell CPU time and peak memory of a container, read from its cgroup (v1 or v2).

``docker stats`` samples once a second; the cgroup files are exact and cheap to read. The two
hierarchies name things differently:

- v1: ``cpuacct/.../cpuacct.usage`` (nanoseconds), ``memory/.../memory.max_usage_in_bytes``
  (reset by writing 0);
- v2: ``.../cpu.stat`` line ``usage_usec`` (microseconds), ``.../memory.peak`` (Linux 5.19+; a
  write resets it for reads through the same open file, Linux 6.12+), else ``memory.current``.

When neither layout is found the usage is recorded as ``{"source": "unavailable"}``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path("/sys/fs/cgroup")
_V1 = ["{ctl}/docker/{id}"]
_V2 = ["system.slice/docker-{id}.scope", "docker/{id}"]


def parse_cpu_stat(text: str) -> int:
    """Microseconds of CPU from a v2 ``cpu.stat`` file."""
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key == "usage_usec":
            return int(value)
    raise ValueError("cpu.stat has no usage_usec line")


class UsageMeter:
    """Reads the usage of one container since the previous ``read``.

    Args:
        container_id: the full Docker container id.
        root: the cgroup mount (a fixture folder in tests).
    """

    def __init__(self, container_id: str, root: Path = ROOT) -> None:
        self.version: str | None = None
        self._cpu: Path | None = None
        self._peak: Path | None = None
        self._current: Path | None = None
        self._peak_fd: int | None = None
        self._cpu_ns = 0
        for pattern in _V1:
            base = root / pattern.format(ctl="cpuacct", id=container_id)
            if (base / "cpuacct.usage").exists():
                self.version, self._cpu = "v1", base / "cpuacct.usage"
                peak = root / pattern.format(ctl="memory", id=container_id) / "memory.max_usage_in_bytes"
                self._peak = peak if peak.exists() else None
                break
        else:
            for pattern in _V2:
                base = root / pattern.format(id=container_id)
                if (base / "cpu.stat").exists():
                    self.version, self._cpu = "v2", base / "cpu.stat"
                    self._peak = base / "memory.peak" if (base / "memory.peak").exists() else None
                    self._current = base / "memory.current" if (base / "memory.current").exists() else None
                    break
        if self.version:
            self._cpu_ns = self._cpu_total_ns()

    def _cpu_total_ns(self) -> int:
        assert self._cpu is not None
        text = self._cpu.read_text()
        return int(text) if self.version == "v1" else parse_cpu_stat(text) * 1000

    def _memory_peak(self) -> tuple[int | None, str]:
        if self.version == "v1" and self._peak is not None:
            value = int(self._peak.read_text())
            try:
                self._peak.write_text("0")  # the next cell's peak starts from the current usage
                return value, "cell"
            except OSError:
                return value, "since start"
        if self.version == "v2" and self._peak is not None:
            if self._peak_fd is None:
                self._peak_fd = os.open(self._peak, os.O_RDWR)
            value = int(os.pread(self._peak_fd, 64, 0))
            try:
                os.write(self._peak_fd, b"reset\n")
                return value, "cell"
            except OSError:  # kernels before 6.12 cannot reset it
                return value, "since start"
        if self._current is not None:
            return int(self._current.read_text()), "current"
        return None, "unavailable"

    def read(self) -> dict[str, Any]:
        """``cpu_s`` since the last read, ``mem_peak_mb`` and what it covers, and the ``source``."""
        if self.version is None:
            return {"source": "unavailable"}
        try:
            now = self._cpu_total_ns()
            peak, scope = self._memory_peak()
        except (OSError, ValueError):  # the container went away mid-read
            return {"source": "unavailable"}
        out: dict[str, Any] = {"cpu_s": round((now - self._cpu_ns) / 1e9, 3), "source": f"cgroup {self.version}"}
        self._cpu_ns = now
        if peak is not None:
            out["mem_peak_mb"] = round(peak / (1 << 20), 1)
            out["mem_scope"] = scope
        return out

    def close(self) -> None:
        if self._peak_fd is not None:
            os.close(self._peak_fd)
            self._peak_fd = None
