"""The Docker sandbox: a locked-down container per kernel, and one per grading.

Defaults follow notes/containers.md: uid 1000, no network (the kernel talks ZMQ over ipc
sockets in a bind-mounted folder), read-only root, tmpfs /tmp, all capabilities dropped,
no-new-privileges, and pids/memory/CPU limits from the task.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import docker.errors

from ..errors import SandboxError
from ..tasks import ResourcesSpec, parse_size
from .base import Mounts, Sandbox
from .images import docker_client, require_image

_CGROUP_ROOTS = ["/sys/fs/cgroup/{ctl}/docker/{id}", "/sys/fs/cgroup/system.slice/docker-{id}.scope",
                 "/sys/fs/cgroup/docker/{id}"]


_OWNER = f"{socket.gethostname()}:{os.getpid()}"
_reaped = False


def reap_orphans(client) -> list[str]:
    """Remove our containers whose driving process on this host is gone (killed with SIGKILL, say).

    Closing an env removes its containers, and so does a normal or Ctrl-C exit; only a driver
    killed outright leaves some behind. Returns the names removed.
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
            container.remove(force=True)
            removed.append(container.name)
        except docker.errors.NotFound:
            pass
    return removed


def _gib(nbytes: int) -> str:
    return f"{nbytes / (1 << 30):.1f} GiB" if nbytes >= 1 << 30 else f"{nbytes >> 20} MiB"


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
        self.container = None
        self._cpu_ns = 0
        self._cgroup_paths: dict[tuple[str, str], Path | None] = {}

    def _options(self, mounts: Mounts, workspace_mode: str) -> dict:
        res = self.resources
        volumes = {str(mounts.workspace): {"bind": "/workspace", "mode": workspace_mode}}
        volumes.update({str(host): {"bind": inside, "mode": "ro"} for inside, host in mounts.readonly.items()})
        return dict(
            image=self.image, user="1000:1000", init=True, network_mode="none", read_only=True,
            tmpfs={"/tmp": f"rw,size={parse_size(res.tmpfs)},mode=1777"}, cap_drop=["ALL"],
            security_opt=["no-new-privileges"], pids_limit=res.pids, mem_limit=res.memory_bytes,
            memswap_limit=res.memory_bytes, nano_cpus=int(res.cpus * 1e9), volumes=volumes,
            working_dir="/workspace", labels={"mlgym.sandbox": self.label, "mlgym.owner": _OWNER}, detach=True,
        )

    def launch(self, argv: list[str], mounts: Mounts, conn_dir: Path) -> None:
        options = self._options(mounts, "rw")
        options["volumes"][str(conn_dir)] = {"bind": "/conn", "mode": "rw"}
        try:
            self.container = self.client.containers.run(command=argv, **options)
        except docker.errors.APIError as exc:
            raise SandboxError(f"could not start the kernel container from {self.image}: {exc.explanation}") from None
        self._cpu_ns = 0

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

    def remove(self) -> None:
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
            return f"out of memory (limit {_gib(self.resources.memory_bytes)})"
        code = int(state.get("ExitCode", -1))
        if code > 128:
            name = signal.Signals(code - 128).name if code - 128 in signal.Signals._value2member_map_ else code - 128
            return f"killed by signal {name} (exit code {code})"
        return f"the kernel process exited with code {code}"

    def _cgroup_file(self, ctl: str, name: str) -> Path | None:
        if self.container is None:
            return None
        key = (self.container.id, name)
        if key not in self._cgroup_paths:
            found = (Path(p.format(ctl=ctl, id=self.container.id)) / name for p in _CGROUP_ROOTS)
            self._cgroup_paths[key] = next((path for path in found if path.exists()), None)
        return self._cgroup_paths[key]

    def usage(self) -> dict[str, float]:
        # cgroup files give per-cell CPU time and peak memory in microseconds, unlike `docker stats`.
        out: dict[str, float] = {}
        cpu = self._cgroup_file("cpuacct", "cpuacct.usage")
        if cpu is not None:
            now = int(cpu.read_text())
            out["cpu_s"] = round((now - self._cpu_ns) / 1e9, 3)
            self._cpu_ns = now
        peak = self._cgroup_file("memory", "memory.max_usage_in_bytes")
        if peak is not None:
            out["mem_peak_mb"] = round(int(peak.read_text()) / (1 << 20), 1)
            try:
                peak.write_text("0")  # start the next cell's peak from the current usage
            except OSError:
                pass
        return out

    def describe(self) -> dict[str, object]:
        info = super().describe()
        info["image"] = self.image
        info["image_id"] = self.client.images.get(self.image).id
        return info

    def run(self, argv: list[str], mounts: Mounts, timeout: float) -> subprocess.CompletedProcess[str]:
        try:
            container = self.client.containers.run(command=argv, **self._options(mounts, "ro"))
        except docker.errors.APIError as exc:
            raise SandboxError(f"could not start a container from {self.image}: {exc.explanation}") from None
        try:
            try:
                code = int(container.wait(timeout=timeout)["StatusCode"])
            except Exception:  # the daemon's read timeout: the command ran too long
                container.kill()
                code = 124
            stdout = container.logs(stdout=True, stderr=False).decode(errors="replace")
            stderr = container.logs(stdout=False, stderr=True).decode(errors="replace")
            container.reload()
            if container.attrs["State"].get("OOMKilled"):
                stderr += f"\nout of memory (limit {_gib(self.resources.memory_bytes)})"
        finally:
            container.remove(force=True)
        return subprocess.CompletedProcess(argv, code, stdout, stderr)

