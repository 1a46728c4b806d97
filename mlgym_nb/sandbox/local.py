"""The local sandbox: the kernel as a child process of this machine, for when no Docker daemon answers.

It is not isolated: the kernel runs as the current user, with the network and the whole file
system. It exists so that the loop works everywhere; it says so loudly once per process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

from .base import Mounts, Sandbox

_warned = False


def warn_unisolated() -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn("mlgym_nb: the local sandbox runs kernels WITHOUT isolation (no container, network on, "
                      "your user's files visible); start Docker (`sudo bash kernels/setup-host.sh`) for the "
                      "isolated default", RuntimeWarning, stacklevel=3)


class LocalSandbox(Sandbox):
    """A plain subprocess in the workspace folder; /data and /hidden become symlinks there."""

    kind = "local"

    def __init__(self, resources, family: str, label: str) -> None:
        super().__init__(resources, family, label)
        self.process: subprocess.Popen[bytes] | None = None
        warn_unisolated()

    @staticmethod
    def _env(mounts: Mounts) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "MLGYM_", "OPENAI_"))}
        env.update({f"MLGYM_{inside.strip('/').upper()}_DIR": str(host) for inside, host in mounts.readonly.items()})
        env["MLGYM_WORKSPACE_DIR"] = str(mounts.workspace)
        return env

    def launch(self, argv: list[str], mounts: Mounts, conn_dir: Path) -> None:
        argv = [sys.executable if a == "python" else a for a in argv]
        argv = [str(conn_dir / "kernel.json") if a == "/conn/kernel.json" else a for a in argv]
        self.process = subprocess.Popen(argv, cwd=mounts.workspace, env=self._env(mounts), start_new_session=True,
                                        stdin=subprocess.DEVNULL)

    def poll(self) -> int | None:
        return -1 if self.process is None else self.process.poll()

    def send_signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signum)

    def remove(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def death_reason(self) -> str:
        code = self.poll()
        if code is not None and code < 0:
            return f"killed by signal {signal.Signals(-code).name}"
        return f"the kernel process exited with code {code}"

    def run(self, argv: list[str], mounts: Mounts, timeout: float) -> subprocess.CompletedProcess[str]:
        # Paths inside the command are container paths; map them to the host folders.
        table = {"/workspace": str(mounts.workspace), **{k: str(v) for k, v in mounts.readonly.items()}}
        mapped = [sys.executable if a == "python" else a for a in argv]
        for inside, host in table.items():
            mapped = [host + a[len(inside):] if a == inside or a.startswith(inside + "/") else a for a in mapped]
        try:
            return subprocess.run(mapped, cwd=mounts.workspace, env=self._env(mounts), capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            return subprocess.CompletedProcess(mapped, 124, exc.stdout or "", exc.stderr or "")
