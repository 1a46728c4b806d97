"""Executors: where a sweep's episodes run. The local one runs each episode in a worker process of its own.

An executor starts episodes and reports the ones that ended; the sweep runner (``runner.py``)
decides how many run at once, writes the index and shows progress. ``ray_executor.py`` adds the
distributed one behind the same seam.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .spec import EpisodeSpec


@dataclass
class Outcome:
    """How one episode ended: its summary line, or why it failed."""

    spec: EpisodeSpec
    summary: dict[str, Any] | None = None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """What the executor adds to the index line (attempts, node, reaped containers)."""


class Executor(Protocol):
    """Runs episodes: ``start`` one, ``wait`` for some to end, ``cancel`` the rest."""

    name: str

    def start(self, spec: EpisodeSpec, path: Path) -> Any:
        """Start the episode of ``spec`` whose notebook goes to ``path``; returns a job handle."""

    def wait(self, jobs: list[Any], timeout: float) -> list[tuple[Any, Outcome]]:
        """The jobs that ended within ``timeout`` seconds, with their outcomes."""

    def cancel(self, jobs: list[Any]) -> None:
        """Stop the jobs; their notebooks record the interruption, their containers go."""

    def close(self) -> None:
        """Free what the executor holds."""


@dataclass(eq=False)  # a job handle: hashed by identity
class _Worker:
    spec: EpisodeSpec
    path: Path
    process: subprocess.Popen[bytes]
    result: Path


class LocalExecutor:
    """Each episode in a worker process on this machine (``python -m mlgym_nb.sweep.worker``).

    A process per episode: a crash, a leak or a hang in one cannot take the others down, and
    Ctrl-C reaches every worker, which closes its episode (notebook saved, containers removed).
    """

    name = "local"

    def start(self, spec: EpisodeSpec, path: Path) -> _Worker:
        path.parent.mkdir(parents=True, exist_ok=True)
        result = path.with_suffix(".result.json")
        result.unlink(missing_ok=True)
        log = open(path.with_suffix(".log"), "ab")
        try:
            process = subprocess.Popen([sys.executable, "-m", "mlgym_nb.sweep.worker", spec.model_dump_json(),
                                        str(path), str(result)], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        finally:
            log.close()
        return _Worker(spec, path, process, result)

    def wait(self, jobs: list[_Worker], timeout: float) -> list[tuple[_Worker, Outcome]]:
        deadline = time.monotonic() + timeout
        while True:
            ended = [job for job in jobs if job.process.poll() is not None]
            if ended or time.monotonic() >= deadline:
                return [(job, self._outcome(job)) for job in ended]
            time.sleep(0.05)

    def _outcome(self, job: _Worker) -> Outcome:
        try:
            summary = json.loads(job.result.read_text())
            job.result.unlink()
            return Outcome(job.spec, summary=summary)
        except (OSError, ValueError):
            log = job.path.with_suffix(".log")
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
            why = tail[0] if tail else "no output"
            return Outcome(job.spec, error=f"the worker exited with code {job.process.returncode}: {why} "
                                           f"(log: {log})")

    def cancel(self, jobs: list[_Worker]) -> None:
        for job in jobs:
            if job.process.poll() is None:
                job.process.send_signal(signal.SIGINT)  # the worker closes its episode: notebook saved, no container
        deadline = time.monotonic() + 60
        for job in jobs:
            try:
                job.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                job.process.kill()
                job.process.wait()

    def close(self) -> None:
        pass
