"""The jupyter_client kernel provisioner that runs a task's kernel in its sandbox.

A kernelspec ``mlgym-<task>`` names this provisioner (entry point ``mlgym-provisioner``), so
NotebookEnv, nbclient, papermill, ``jupyter console`` and JupyterLab all start the same
locked-down kernel. Per-launch settings come in the launch environment and never reach the
kernel: ``MLGYM_WORKSPACE`` (the folder mounted at /workspace; a fresh one from the task's
starter files when absent) and ``MLGYM_SANDBOX`` (``docker``, ``local`` or ``auto``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import KernelProvisionerBase
from traitlets import Unicode

from ..errors import DockerUnavailableError
from ..paths import cache_dir
from ..tasks import load_task
from ..workspace import KERNEL_UID, new_workspace, prepared_data
from .base import Mounts, Sandbox

KERNEL_ARGV = ["python", "-m", "ipykernel_launcher", "-f", "/conn/kernel.json", "--ext=mlgym_kernel_ext"]


def make_sandbox(kind: str, task, label: str) -> Sandbox:
    """A Sandbox of the given kind (``auto``: Docker when a daemon answers, else local)."""
    from .docker import DockerSandbox
    from .local import LocalSandbox

    if kind == "docker":
        return DockerSandbox(task.resources, task.family, label)
    if kind == "local":
        return LocalSandbox(task.resources, task.family, label)
    if kind == "auto":
        try:
            return DockerSandbox(task.resources, task.family, label)
        except DockerUnavailableError:
            return LocalSandbox(task.resources, task.family, label)
    raise ValueError(f"unknown sandbox {kind!r}; choose docker, local or auto")


class MlgymProvisioner(KernelProvisionerBase):  # type: ignore[misc]
    """Starts the kernel of task ``task`` in a Docker or local sandbox over ZMQ ipc sockets."""

    task = Unicode(config=True, help="Task id whose image, limits and data the kernel gets.")
    sandbox_kind = Unicode("auto", config=True, help="docker, local, or auto (Docker when available).")

    sandbox: Sandbox | None = None
    conn_dir: Path | None = None
    workspace: Path | None = None

    @property
    def has_process(self) -> bool:
        return self.sandbox is not None

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        km = self.parent
        env = dict(kwargs.pop("env", None) or os.environ)
        spec = load_task(self.task)
        if self.sandbox is None:  # first start; restarts keep sandbox, sockets, key and workspace
            kind = env.get("MLGYM_SANDBOX", self.sandbox_kind)
            self.sandbox = make_sandbox(kind, spec, label=self.kernel_id)
            # Short path: unix socket paths must stay under 108 bytes.
            self.conn_dir = Path(tempfile.mkdtemp(prefix="mlg-", dir="/tmp"))
            os.chmod(self.conn_dir, 0o777)
            given = env.get("MLGYM_WORKSPACE")
            self.workspace = Path(given) if given else new_workspace(
                spec, cache_dir() / "workspaces" / self.kernel_id)
            km.transport = "ipc"
            km.ip = str(self.conn_dir / "k")
            km.shell_port, km.iopub_port, km.stdin_port, km.control_port, km.hb_port = 1, 2, 3, 4, 5
        assert self.conn_dir is not None
        km.write_connection_file()
        self.connection_info = km.get_connection_info()
        inside = dict(self.connection_info)
        inside["key"] = inside["key"].decode() if isinstance(inside["key"], bytes) else inside["key"]
        if self.sandbox.conn_inside:  # the sandbox mounts conn_dir elsewhere
            inside["ip"] = f"{self.sandbox.conn_inside}/k"
        conn_file = self.conn_dir / "kernel.json"
        conn_file.write_text(json.dumps(inside))
        os.chmod(conn_file, 0o600)
        if os.geteuid() == 0:
            os.chown(conn_file, KERNEL_UID, KERNEL_UID)
        kwargs.pop("cwd", None)  # the kernel's cwd is /workspace
        return {**kwargs, "cmd": list(KERNEL_ARGV)}

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        assert self.sandbox is not None and self.conn_dir is not None and self.workspace is not None
        spec = load_task(self.task)
        public, _hidden = prepared_data(spec)
        self.sandbox.launch(cmd, Mounts(self.workspace, {"/data": public}), self.conn_dir)
        return self.connection_info

    async def poll(self) -> int | None:
        return -1 if self.sandbox is None else self.sandbox.poll()

    async def wait(self) -> int | None:
        import asyncio

        while (code := await self.poll()) is None:
            await asyncio.sleep(0.05)
        return code

    async def send_signal(self, signum: int) -> None:
        if self.sandbox is not None and signum:
            self.sandbox.send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        if self.sandbox is not None:
            self.sandbox.send_signal(9)

    async def terminate(self, restart: bool = False) -> None:
        if self.sandbox is not None:
            self.sandbox.send_signal(15)

    async def cleanup(self, restart: bool = False) -> None:
        if self.sandbox is not None:
            self.sandbox.remove()
        if self.conn_dir is not None:
            for sock in self.conn_dir.glob("k-*"):  # stale sockets block the next bind
                sock.unlink(missing_ok=True)
        if not restart:
            if self.conn_dir is not None:
                shutil.rmtree(self.conn_dir, ignore_errors=True)
            self.sandbox = None
            self.conn_dir = None

    def get_shutdown_wait_time(self, recommended: float = 5.0) -> float:
        return 2.0

    def get_stable_start_time(self, recommended: float = 10.0) -> float:
        return 5.0
