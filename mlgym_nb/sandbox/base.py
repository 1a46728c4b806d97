"""The Sandbox contract: where one kernel, or one grading, runs.

A Sandbox is a handle made per kernel (by ``KernelSession`` or the Jupyter provisioner) or per
grading (by ``grading.grade``). For a kernel, ``start`` is called once per kernel process
(a restart calls ``close`` and then ``start`` again) and ``poll`` / ``send_signal`` /
``death_reason`` / ``usage`` while it runs. A grading calls ``run`` once.
"""

from __future__ import annotations

import signal
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..tasks import ResourcesSpec


def exit_reason(code: int | None) -> str:
    """A kernel's exit code in words: the signal that killed it, or the code."""
    if code is not None and (code < 0 or code > 128):
        signum = -code if code < 0 else code - 128
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        return f"killed by signal {name}" + (f" (exit code {code})" if code > 0 else "")
    return f"the kernel process exited with code {code}"


def gib(nbytes: int) -> str:
    """A byte count for messages: ``1.0 GiB`` or ``512 MiB``."""
    return f"{nbytes / (1 << 30):.1f} GiB" if nbytes >= 1 << 30 else f"{nbytes >> 20} MiB"


@dataclass(frozen=True)
class Mount:
    """A host folder the sandbox exposes at ``inside`` (a path of ``layout``)."""

    host: Path
    inside: str
    writable: bool = False


@dataclass
class RunResult:
    """The outcome of a one-off command (a grading)."""

    returncode: int
    stdout: str
    stderr: str
    failure: str | None = None
    """``time`` or ``memory`` when the sandbox stopped the command at its limit; None when it ended on its own."""


class Sandbox(ABC):
    """One isolated place to run a kernel or a grader for a task."""

    #: Backend name, recorded in episodes: docker, bubblewrap or none.
    kind: str = ""
    #: Whether code inside sees mounts at their ``inside`` paths (False: at their host paths).
    maps_paths: bool = True

    def __init__(self, resources: ResourcesSpec, family: str, label: str) -> None:
        self.resources = resources
        self.family = family
        self.label = label

    @abstractmethod
    def start(self, argv: list[str], mounts: list[Mount]) -> None:
        """Start the kernel command ``argv``. Raises SandboxError if it cannot start."""

    @abstractmethod
    def poll(self) -> int | None:
        """None while the kernel runs, else its exit code."""

    @abstractmethod
    def send_signal(self, signum: int) -> None:
        """Deliver a signal to the kernel process (no-op once it has exited)."""

    @abstractmethod
    def close(self) -> None:
        """Stop the kernel if it still runs and free what start made. Idempotent."""

    @abstractmethod
    def death_reason(self) -> str:
        """Why the kernel exited, in words (``out of memory (limit 1.0 GiB)``); poll() is not None."""

    @abstractmethod
    def run(self, argv: list[str], mounts: list[Mount], timeout: float, scorer: bool = False) -> RunResult:
        """Run a one-off command to completion; stop it after ``timeout`` seconds.

        ``scorer``: start it as the grader's scorer (root with ``layout.SCORER_CAPS`` only, so that it
        can run the agent's code under another uid) instead of as ``layout.KERNEL_UID``.
        Raises SandboxError when the sandbox itself fails (not when the command does).
        """

    def usage(self) -> dict[str, Any]:
        """Resource use since the last call: ``cpu_s``, ``mem_peak_mb`` and their ``source``."""
        return {"source": "unavailable"}

    def describe(self) -> dict[str, Any]:
        """What to record in an episode about this sandbox (kind, image, limits)."""
        return {"kind": self.kind, "family": self.family, "resources": self.resources.model_dump()}

    def inside(self, path: str, mounts: list[Mount]) -> str:
        """Where code in the sandbox finds ``path`` (a layout path, or one below a mount)."""
        if self.maps_paths:
            return path
        for mount in sorted(mounts, key=lambda m: -len(m.inside)):
            if path == mount.inside or path.startswith(mount.inside + "/"):
                return str(mount.host) + path[len(mount.inside):]
        return path
