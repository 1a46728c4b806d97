"""The Ray executor: each episode is one Ray task, on a node that has a Docker daemon and the kernel images.

The whole episode runs in the task (driver loop, kernel container, grader containers): the kernel keeps
``--network none`` and its ipc sockets, which only work on one host. Nodes offer the custom resource
``mlgym_docker`` (how many episodes they host at once; ``ray start ... --resources
'{"mlgym_docker": 2}'``) and each task also asks for its task's CPUs and the larger of its kernel's and
its grader's memory. A task first reaps containers and workspaces left by dead processes on its node,
checks that the node's image has the driver's recipe hash (building it when not), runs
the episode in a temporary folder, and returns the notebook's bytes, the workspace as a tar archive
(when small enough) and the summary line through Ray's object store: no shared file system is needed.
A task whose worker dies is retried once; an exception in the episode is not retried (an LLM episode
costs money).
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MlgymError
from ..tasks import load_task
from .executors import Outcome
from .spec import EpisodeSpec

RESOURCE = "mlgym_docker"
MAX_WORKSPACE_ARCHIVE = 64 << 20


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise MlgymError('--executor ray needs Ray: pip install "mlgym_nb[ray]" (the same Ray and Python versions '
                         "as the cluster's)") from None
    return ray


def _tar(folder: Path) -> bytes | None:
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    if not folder.is_dir() or size > MAX_WORKSPACE_ARCHIVE:
        return None
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(folder, arcname=".")
    return buffer.getvalue()


def run_remote(spec_json: str, recipes: dict[str, str], counter: Any) -> dict[str, Any]:
    """The body of the Ray task (also callable directly): one episode on this node, results as bytes."""
    ray = _ray()
    from ..sandbox.docker import reap_orphans
    from ..sandbox.images import build_family, docker_client, image_recipe
    from ..workspace import reap_workspaces
    from .run import run_spec

    spec = EpisodeSpec.model_validate_json(spec_json)
    attempt = ray.get(counter.next.remote(spec.key))
    node = ray.get_runtime_context().get_node_id()
    reaped = reap_orphans(docker_client()) + reap_workspaces()
    family = load_task(spec.task).family
    rebuilt = False
    if image_recipe(family) != recipes.get(family):
        build_family(family)  # this node's image is not the driver's version: build it
        rebuilt = True
    with tempfile.TemporaryDirectory(prefix="mlgym-ray-") as tmp:
        path = Path(tmp) / f"{spec.key.replace('/', '_')}.ipynb"
        summary = run_spec(spec, path, attempt=attempt)
        return {"summary": summary, "notebook": path.read_bytes(), "workspace": _tar(path.with_suffix(".workspace")),
                "extra": {"node": node, "attempt": attempt, "reaped": reaped, "rebuilt_images": rebuilt}}


@dataclass(eq=False)  # a job handle: hashed by identity
class _RayJob:
    spec: EpisodeSpec
    path: Path
    ref: Any


class RayExecutor:
    """Episodes as Ray tasks on the cluster at ``address`` (default ``$RAY_ADDRESS``, else a local Ray runtime).

    Args:
        address: a Ray cluster (``127.0.0.2:6379``, ``auto``); None starts a local runtime whose node offers
            ``local_slots`` of the ``mlgym_docker`` resource.
        local_slots: episodes the local runtime hosts at once (default: its CPUs).
    """

    name = "ray"

    def __init__(self, address: str | None = None, local_slots: int | None = None) -> None:
        ray = self.ray = _ray()
        address = address or os.environ.get("RAY_ADDRESS")
        if not ray.is_initialized():
            if address:
                ray.init(address=address, log_to_driver=False)
            else:  # a local runtime: this machine is the one node
                ray.init(resources={RESOURCE: local_slots or os.cpu_count() or 1}, include_dashboard=False,
                         log_to_driver=False)
        if ray.cluster_resources().get(RESOURCE, 0) <= 0:
            raise MlgymError(f"no node of the Ray cluster offers the {RESOURCE} resource: start nodes that have "
                             f"Docker and the kernel images with `ray start ... --resources '{{\"{RESOURCE}\": 2}}'`")
        from ..sandbox.images import families, recipe_hash

        self.recipes = {family: recipe_hash(family) for family in families()}
        self.counter = _counter(ray).remote()
        self.remote = ray.remote(run_remote)

    def start(self, spec: EpisodeSpec, path: Path) -> _RayJob:
        task = load_task(spec.task)
        memory = max(task.resources.memory_bytes, (task.grader.resources or task.resources).memory_bytes)
        ref = self.remote.options(num_cpus=task.resources.cpus, memory=memory, resources={RESOURCE: 1},
                                  num_gpus=task.resources.gpus, max_retries=1, retry_exceptions=False,
                                  ).remote(spec.model_dump_json(), self.recipes, self.counter)
        return _RayJob(spec, path, ref)

    def wait(self, jobs: list[_RayJob], timeout: float) -> list[tuple[_RayJob, Outcome]]:
        if not jobs:
            time.sleep(min(timeout, 0.1))
            return []
        ready, _ = self.ray.wait([j.ref for j in jobs], num_returns=len(jobs), timeout=timeout)
        ended = [job for job in jobs if job.ref in ready]
        return [(job, self._outcome(job)) for job in ended]

    def _outcome(self, job: _RayJob) -> Outcome:
        try:
            result = self.ray.get(job.ref)
        except self.ray.exceptions.RayError as exc:
            first = str(exc).strip().splitlines()
            return Outcome(job.spec, error=f"{type(exc).__name__}: {first[-1] if first else ''}")
        job.path.parent.mkdir(parents=True, exist_ok=True)
        job.path.write_bytes(result["notebook"])
        if result["workspace"] is not None:
            with tarfile.open(fileobj=io.BytesIO(result["workspace"]), mode="r:gz") as tar:
                tar.extractall(job.path.with_suffix(".workspace"), filter="data")
        return Outcome(job.spec, summary=result["summary"], extra=result["extra"])

    def cancel(self, jobs: list[_RayJob]) -> None:
        for job in jobs:
            self.ray.cancel(job.ref)  # KeyboardInterrupt in the task: the episode closes, its containers go
        if jobs:
            self.ray.wait([j.ref for j in jobs], num_returns=len(jobs), timeout=60)

    def close(self) -> None:
        self.ray.kill(self.counter)


def _counter(ray: Any) -> Any:
    @ray.remote(num_cpus=0)
    class AttemptCounter:
        """How many times each episode has been started, across retries and nodes."""

        def __init__(self) -> None:
            self.counts: dict[str, int] = {}

        def next(self, key: str) -> int:
            self.counts[key] = self.counts.get(key, 0) + 1
            return self.counts[key]

    return AttemptCounter
