"""The Docker sandbox: a locked-down container per kernel, and one per grading.

Defaults follow notes/containers.md: no network (the kernel talks ZMQ over ipc sockets in a
bind-mounted folder), read-only root, tmpfs /tmp, all capabilities dropped, no-new-privileges,
pids/memory/CPU limits from the task, container logs capped. Kernels run as ``layout.KERNEL_UID``;
graders start as root with ``layout.SCORER_CAPS`` only (see tasks/_common/player.py).
"""

from __future__ import annotations

import os
import socket
from typing import Any

import docker.errors
import requests.exceptions
from docker.types import DeviceRequest, LogConfig

from ..errors import SandboxError
from ..tasks import ResourcesSpec, parse_size
from . import layout
from .base import Mount, RunResult, Sandbox, exit_reason, gib
from .cgroups import UsageMeter
from .images import docker_client, require_image

_OWNER = f"{socket.gethostname()}:{os.getpid()}"
#: A tag every container of this process and its children carries (``$MLGYM_SESSION``): a test run or a
#: sweep finds its own containers among others' on a shared daemon.
SESSION = os.environ.get("MLGYM_SESSION", "")
_reaped = False
#: Container logs kept by the daemon: a process printing without end cannot fill the host's disk.
_LOGS = LogConfig(type=LogConfig.types.JSON, config={"max-size": "1m", "max-file": "1"})
#: What a grading's output may hold; the scorer prints one JSON line.
MAX_GRADER_OUTPUT = 200_000


def reap_orphans(client: Any, dry_run: bool = False) -> list[str]:
    """Remove our containers whose driving process on this host is gone (killed with SIGKILL, say).

    Closing an env removes its containers, and so does a normal or Ctrl-C exit; only a driver
    killed outright leaves some behind. Returns the names removed (with ``dry_run``: that would be).
    """
    host = socket.gethostname()
    removed = []
    for container in client.containers.list(all=True, filters={"label": "mlgym.owner"}):
        owner_host, _, pid = container.labels.get("mlgym.owner", "").partition(":")
        if owner_host != host or not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # the owner still runs
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        try:
            if not dry_run:
                container.remove(force=True)
            removed.append(container.name)
        except docker.errors.NotFound:
            pass
    return removed


class DockerSandbox(Sandbox):
    """Kernel and grader containers on the local Docker daemon."""

    kind = "docker"

    def __init__(self, resources: ResourcesSpec, family: str, label: str) -> None:
        super().__init__(resources, family, label)
        global _reaped
        self.client = docker_client()
        self.image = require_image(family)
        if not _reaped:  # once per process
            _reaped = True
            reap_orphans(self.client)
        self.container: Any = None
        self._meter: UsageMeter | None = None

    def _options(self, mounts: list[Mount], scorer: bool) -> dict[str, Any]:
        res = self.resources
        volumes = {str(m.host): {"bind": m.inside, "mode": "rw" if m.writable else "ro"} for m in mounts}
        extra: dict[str, Any] = dict(user="0:0", cap_add=list(layout.SCORER_CAPS)) if scorer else dict(
            user=f"{layout.KERNEL_UID}:{layout.KERNEL_UID}")
        if res.gpus:
            extra["device_requests"] = [DeviceRequest(count=res.gpus, capabilities=[["gpu"]])]
        return dict(
            image=self.image, init=True, network_mode="none", read_only=True,
            tmpfs={"/tmp": f"rw,size={parse_size(res.tmpfs)},mode=1777"}, cap_drop=["ALL"],
            security_opt=["no-new-privileges"], pids_limit=res.pids, mem_limit=res.memory_bytes,
            memswap_limit=res.memory_bytes, nano_cpus=int(res.cpus * 1e9), volumes=volumes,
            working_dir=layout.WORKSPACE if not scorer else "/", log_config=_LOGS, environment=layout.RUNTIME_ENV,
            labels={"mlgym.sandbox": self.label, "mlgym.owner": _OWNER, "mlgym.session": SESSION}, detach=True,
            **extra,
        )

    def start(self, argv: list[str], mounts: list[Mount]) -> None:
        try:
            self.container = self.client.containers.run(command=argv, **self._options(mounts, scorer=False))
        except docker.errors.APIError as exc:
            raise SandboxError(f"could not start the kernel container from {self.image}: {exc.explanation}") from None
        self._meter = UsageMeter(self.container.id)

    def poll(self) -> int | None:
        if self.container is None:
            return -1
        try:
            self.container.reload()
        except docker.errors.NotFound:
            return -1
        state = self.container.attrs["State"]
        return None if state["Running"] else int(state["ExitCode"])

    def send_signal(self, signum: int) -> None:
        if self.container is not None and self.poll() is None:
            try:
                self.container.kill(signal=signum)
            except docker.errors.APIError:
                pass  # exited in between

    def close(self) -> None:
        if self._meter is not None:
            self._meter.close()
            self._meter = None
        if self.container is None:
            return
        try:
            self.container.remove(force=True)
        except docker.errors.NotFound:
            pass
        self.container = None

    def death_reason(self) -> str:
        if self.container is None:
            return "its container is gone"
        state = self.container.attrs["State"]
        if state.get("OOMKilled"):
            return f"out of memory (limit {gib(self.resources.memory_bytes)})"
        return exit_reason(int(state.get("ExitCode", -1)))

    def usage(self) -> dict[str, Any]:
        return self._meter.read() if self._meter else {"source": "unavailable"}

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["image"] = self.image
        info["image_id"] = self.client.images.get(self.image).id
        return info

    def run(self, argv: list[str], mounts: list[Mount], timeout: float, scorer: bool = False) -> RunResult:
        try:
            container = self.client.containers.run(command=argv, **self._options(mounts, scorer))
        except docker.errors.APIError as exc:
            raise SandboxError(f"could not start a container from {self.image}: {exc.explanation}") from None
        try:
            failure = None
            try:
                code = int(container.wait(timeout=timeout)["StatusCode"])
            except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
                container.kill()
                code, failure = 124, "time"
            stdout = container.logs(stdout=True, stderr=False)[-MAX_GRADER_OUTPUT:].decode(errors="replace")
            stderr = container.logs(stdout=False, stderr=True)[-MAX_GRADER_OUTPUT:].decode(errors="replace")
            container.reload()
            if container.attrs["State"].get("OOMKilled"):
                failure = "memory"
        except docker.errors.APIError as exc:
            raise SandboxError(f"the Docker daemon failed while running a grader: {exc.explanation}") from None
        finally:
            try:
                container.remove(force=True)
            except docker.errors.APIError:
                pass
        return RunResult(code, stdout, stderr, failure)
