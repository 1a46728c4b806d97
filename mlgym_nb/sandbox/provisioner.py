"""The jupyter_client kernel provisioner that runs a task's kernel in its sandbox.

A kernelspec ``mlgym-<task>`` names this provisioner (entry point ``mlgym-provisioner``), so
NotebookEnv, nbclient, papermill, ``jupyter console`` and JupyterLab all start the same
locked-down kernel. KernelSession passes a resolved ``KernelLaunch`` (trait ``launch``); a
kernelspec on disk passes the task id, its folder and a sandbox choice, and the provisioner then
makes a fresh workspace from the task's starter files and removes it when the kernel shuts down.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import KernelProvisionerBase
from traitlets import Any as AnyTrait
from traitlets import Bool, Unicode

from . import layout
from .base import Mount


def _launch_from_kernelspec(task_id: str, task_root: str, sandbox_kind: str, folder: str) -> tuple[Any, Any]:
    """A launch for a kernelspec on disk: a fresh workspace (removed at shutdown), or ``folder`` (kept)."""
    from ..kernelspec import KernelLaunch
    from ..tasks import load_task, load_task_file
    from ..workspace import Workspace
    from . import make_sandbox

    spec_file = Path(task_root) / "task.yaml" if task_root else None
    task = load_task_file(spec_file) if spec_file and spec_file.exists() else load_task(task_id)
    sandbox = make_sandbox(sandbox_kind, task.resources, task.family, f"kernel-{task.id}")
    if folder:
        return KernelLaunch(task, sandbox, Path(folder)), None
    workspace = Workspace.create(task)
    return KernelLaunch(task, sandbox, workspace.path), workspace


class MlgymProvisioner(KernelProvisionerBase):  # type: ignore[misc]
    """Starts the kernel of a task in its sandbox, over ZMQ ipc sockets in a mounted folder."""

    task = Unicode(config=True, help="Task id whose image, limits and data the kernel gets.")
    task_root = Unicode("", config=True, help="The task's folder (default: found by id).")
    sandbox_kind = Unicode("auto", config=True, help="A sandbox choice: auto, docker, local, bubblewrap, none.")
    workspace = Unicode("", config=True, help="A folder to work in that outlives the kernel (mlgym-nb task open).")
    grading = Bool(False, config=True, help="Answer the kernel's %validate / %submit requests (mlgym-nb task open).")
    launch = AnyTrait(None, help="A resolved KernelLaunch, given in memory by KernelSession.")

    conn_dir: Path | None = None
    _own_workspace: Any = None
    _watcher: Any = None
    _started = False

    @property
    def has_process(self) -> bool:
        return self._started

    def _mounts(self) -> list[Mount]:
        from ..workspace import prepared_data

        assert self.launch is not None and self.conn_dir is not None
        public, _hidden = prepared_data(self.launch.task)
        return [Mount(self.launch.workspace, layout.WORKSPACE, writable=True), Mount(public, layout.DATA),
                Mount(self.conn_dir, layout.CONN, writable=True)]

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        km = self.parent
        if self.launch is None:  # started from a kernelspec on disk by a Jupyter tool
            self.launch, self._own_workspace = _launch_from_kernelspec(self.task, self.task_root, self.sandbox_kind,
                                                                       self.workspace)
        if self.grading and self._watcher is None:
            from ..manual import GradingWatcher

            folder = Path(self.launch.workspace)
            self._watcher = GradingWatcher(self.launch.task, folder, folder.with_suffix(".gradings.jsonl"),
                                           self.launch.sandbox.kind).start()
        if self.conn_dir is None:  # first start; restarts keep sockets and key
            # Short path: unix socket paths must stay under 108 bytes.
            self.conn_dir = Path(tempfile.mkdtemp(prefix="mlg-", dir="/tmp"))
            os.chmod(self.conn_dir, 0o777)
            (self.conn_dir / "owner").write_text(f"{socket.gethostname()}:{os.getpid()}")  # for `mlgym-nb clean`
            atexit.register(self._release)
            km.transport = "ipc"
            km.ip = str(self.conn_dir / "k")
            km.shell_port, km.iopub_port, km.stdin_port, km.control_port, km.hb_port = 1, 2, 3, 4, 5
        km.write_connection_file()
        self.connection_info = km.get_connection_info()
        inside = dict(self.connection_info)
        inside["key"] = inside["key"].decode() if isinstance(inside["key"], bytes) else inside["key"]
        inside["ip"] = self.launch.sandbox.inside(f"{layout.CONN}/k", self._mounts())
        conn_file = self.conn_dir / "kernel.json"
        conn_file.write_text(json.dumps(inside))
        os.chmod(conn_file, 0o600)  # the key travels by file only, readable by the kernel's uid alone
        if os.geteuid() == 0:
            os.chown(conn_file, layout.KERNEL_UID, layout.KERNEL_UID)
        kwargs.pop("cwd", None)  # the kernel's cwd is /workspace
        kwargs.pop("env", None)  # the sandbox sets the kernel's environment
        return {**kwargs, "cmd": list(layout.KERNEL_ARGV)}

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        assert self.launch is not None
        self.launch.sandbox.start(cmd, self._mounts())
        self._started = True
        return self.connection_info

    async def poll(self) -> int | None:
        return self.launch.sandbox.poll() if self._started else -1

    async def wait(self) -> int | None:
        while (code := await self.poll()) is None:
            await asyncio.sleep(0.05)
        return code

    async def send_signal(self, signum: int) -> None:
        if self._started and signum:
            self.launch.sandbox.send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(9)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(15)

    async def cleanup(self, restart: bool = False) -> None:
        self._release(final=not restart)

    def _release(self, final: bool = True) -> None:
        """Remove the container, the sockets and, when final, the connection folder and an own workspace.

        Also run at interpreter exit: some Jupyter clients (jupyter console) ask the kernel to shut
        down and leave without calling ``cleanup``.
        """
        if self.launch is not None:
            self.launch.sandbox.close()
        self._started = False
        if self.conn_dir is not None:
            for sock in self.conn_dir.glob("k-*"):  # stale sockets block the next bind
                sock.unlink(missing_ok=True)
        if final:
            if self.conn_dir is not None:
                shutil.rmtree(self.conn_dir, ignore_errors=True)  # the connection key goes with it
                self.conn_dir = None
            if self._own_workspace is not None:
                self._own_workspace.discard()
                self._own_workspace = None
            if self._watcher is not None:
                self._watcher.stop()
                self._watcher = None

    def get_shutdown_wait_time(self, recommended: float = 5.0) -> float:
        return 2.0

    def get_stable_start_time(self, recommended: float = 10.0) -> float:
        return 5.0
