"""A Ray cluster of several nodes on one machine, for trying the Ray executor, tests and benchmarks.

Each node is a ``ray start --block`` process on its own loopback address (127.0.0.2, 127.0.0.3, ...;
Ray rewrites 127.0.0.1 to the machine's routable address) with its own temp folder and ports, and
token authentication on. ``stop`` ends each node by its pid: ``ray stop`` would end every Ray process
on the machine. Nodes offer the ``mlgym_docker`` resource the Ray executor asks for.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..errors import MlgymError

WORKER_PORTS = 41
"""Ports each node's workers may use: a range starting at a free port."""


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _node_ports(host: str, count: int) -> tuple[int, list[int]]:
    """The first port of a worker range, and ``count`` other free ports: distinct and outside that range, since
    Ray refuses to start a node whose components share a port (free ports picked one by one can collide)."""
    low = _free_port(host)
    ports: list[int] = []
    while len(ports) < count:
        port = _free_port(host)
        if port not in ports and not low <= port < low + WORKER_PORTS:
            ports.append(port)
    return low, ports


class LocalRayCluster:
    """``with LocalRayCluster(nodes=2) as address:`` a head and workers on loopback, stopped on exit.

    Args:
        nodes: how many nodes (the first is the head).
        cpus: CPUs each node offers; ``slots``: episodes each node hosts at once (``mlgym_docker``).
        startup_timeout: seconds for every node to join.

    Sets RAY_AUTH_MODE and RAY_AUTH_TOKEN in this process's environment (Ray reads them when it
    loads), and RAY_ADDRESS while the cluster runs.
    """

    def __init__(self, nodes: int = 2, cpus: int = 1, slots: int = 1, startup_timeout: float = 120.0) -> None:
        self.nodes, self.cpus, self.slots, self.startup_timeout = nodes, cpus, slots, startup_timeout
        self.processes: list[subprocess.Popen[bytes]] = []
        self.folders: list[Path] = []
        self.address = ""
        self._saved: dict[str, str | None] = {}

    def _start_node(self, index: int) -> None:
        host = f"127.0.0.{index + 2}"
        folder = Path(tempfile.mkdtemp(prefix=f"r{index}", dir="/tmp"))  # short: Ray's socket paths are long
        self.folders.append(folder)
        flags = ["node-manager-port", "object-manager-port", "dashboard-agent-listen-port", "dashboard-agent-grpc-port",
                 "runtime-env-agent-port", "metrics-export-port"]
        if index == 0:
            flags += ["port", "ray-client-server-port"]
        low, free = _node_ports(host, len(flags))
        ports = dict(zip(flags, free, strict=True))
        argv = [str(Path(sys.executable).with_name("ray")), "start", "--block", f"--node-ip-address={host}",
                f"--num-cpus={self.cpus}", f'--resources={{"mlgym_docker": {self.slots}}}', f"--temp-dir={folder}",
                "--disable-usage-stats", "--object-store-memory=150000000", f"--min-worker-port={low}",
                f"--max-worker-port={low + WORKER_PORTS - 1}", *[f"--{flag}={port}" for flag, port in ports.items()]]
        if index == 0:
            self.address = f"{host}:{ports['port']}"
            argv += ["--head", "--include-dashboard=false"]
        else:
            argv += [f"--address={self.address}"]
        with open(folder / "node.log", "wb") as log:
            self.processes.append(subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL))

    def _wait(self, ready: object, what: str) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while not ready():  # type: ignore[operator]
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                tails = [(f / "node.log").read_text(errors="replace").strip().splitlines()[-1:] for f in self.folders]
                self.stop()
                last = "; ".join(t[0] for t in tails if t)
                raise MlgymError(f"the local Ray cluster did not start: {what} (last node log lines: {last})")
            time.sleep(0.3)

    def start(self) -> str:
        if Path(sys.executable).with_name("ray").exists() is False:
            raise MlgymError('the local Ray cluster needs Ray: pip install "mlgym_nb[ray]"')
        self._saved = {k: os.environ.get(k) for k in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_ADDRESS")}
        os.environ.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(16))
        self._start_node(0)
        host, port = self.address.split(":")

        def head_up() -> bool:
            try:
                socket.create_connection((host, int(port)), timeout=1).close()
                return True
            except OSError:
                return False

        self._wait(head_up, "the head did not answer")
        for index in range(1, self.nodes):
            self._start_node(index)
        import ray

        ray.init(address=self.address, log_to_driver=False)
        self._wait(lambda: len([n for n in ray.nodes() if n["Alive"]]) >= self.nodes, "not every node joined")
        os.environ["RAY_ADDRESS"] = self.address
        return self.address

    def stop(self) -> None:
        """Stop the nodes (workers first; the head drains for up to 30 s) and disconnect. Safe to call twice."""
        import ray

        if ray.is_initialized():
            ray.shutdown()
        for process in reversed(self.processes):
            process.terminate()  # `ray start --block` stops what it started
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)
        self.folders.clear()
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved = {}

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
