"""The Sandbox contract: where one kernel, or one grader command, runs.

A Sandbox is made per kernel by the provisioner (``sandbox/provisioner.py``), which calls
``launch`` once per kernel start (restarts call ``remove`` and then ``launch`` again) and
``poll``/``wait``/``send_signal``/``kill`` as jupyter_client asks. The grader calls ``run``
on a fresh Sandbox for each grading.
"""

from __future__ import annotations

import subprocess
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from ..tasks import ResourcesSpec


@dataclass(frozen=True)
class Mounts:
    """Host folders a sandbox exposes, by their path inside it."""

    workspace: Path
    """Read-write at /workspace (read-only for graders)."""
    readonly: dict[str, Path] = field(default_factory=dict)
    """Extra read-only folders: /data for kernels; /grader and /hidden for graders."""


class Sandbox(ABC):
    """One isolated place to run a kernel or a command for a task."""

    #: Short name used on the command line and recorded in episodes.
    kind: str = ""
    #: Where the sandbox mounts the connection folder (None: at its host path).
    conn_inside: str | None = "/conn"

    def __init__(self, resources: ResourcesSpec, family: str, label: str) -> None:
        self.resources = resources
        self.family = family
        self.label = label

    @abstractmethod
    def launch(self, argv: list[str], mounts: Mounts, conn_dir: Path) -> None:
        """Start the kernel command ``argv``; ``conn_dir`` holds kernel.json and the ipc sockets.

        Called by the provisioner's ``launch_kernel``. Raises SandboxError if it cannot start.
        """

    @abstractmethod
    def poll(self) -> int | None:
        """None while the kernel runs, else its exit code."""

    @abstractmethod
    def send_signal(self, signum: int) -> None:
        """Deliver a signal to the kernel process (no-op once it has exited)."""

    @abstractmethod
    def remove(self) -> None:
        """Stop the kernel if it still runs and free everything launch made. Idempotent."""

    @abstractmethod
    def death_reason(self) -> str:
        """Why the kernel exited, in words (``out of memory (limit 1.0 GiB)``); poll() is not None."""

    @abstractmethod
    def run(self, argv: list[str], mounts: Mounts, timeout: float) -> subprocess.CompletedProcess[str]:
        """Run a one-off command to completion (grading); kills it after ``timeout`` seconds."""

    def usage(self) -> dict[str, float]:
        """Resource use since the last call: ``cpu_s`` and ``mem_peak_mb`` where measurable."""
        return {}

    def describe(self) -> dict[str, object]:
        """What to record in an episode about this sandbox (kind, image, limits)."""
        return {"kind": self.kind, "family": self.family, "resources": self.resources.model_dump()}
