"""The sweep runner: a grid of episodes through an executor, bounded by K and by memory, resumable.

Each episode's notebook goes to ``OUTDIR/<task>/<agent>/s<seed>.ipynb`` and, when it ends, one line
to ``OUTDIR/results.jsonl`` (written here only, so local and distributed sweeps write the same
index). Running again skips the episodes in the index, resumes the unfinished ones from their
notebooks, and retries the failed ones. One failing episode never stops the sweep; Ctrl-C stops
every episode cleanly (notebooks saved, containers removed) and says how to resume.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..clock import since
from ..tasks import load_task
from .executors import Executor, Outcome
from .spec import EpisodeSpec

INDEX = "results.jsonl"


def read_index(outdir: Path) -> list[dict[str, Any]]:
    """The index lines of a sweep folder (a torn last line, from a killed driver, is skipped)."""
    path = Path(outdir) / INDEX
    lines = []
    for text in path.read_text().splitlines() if path.exists() else []:
        try:
            lines.append(json.loads(text))
        except ValueError:
            continue
    return lines


def memory_available() -> int:
    """Bytes the machine can give episodes now (MemAvailable), or a large number where unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 1 << 50


def reservation(spec: EpisodeSpec) -> int:
    """Memory an episode may take: its kernel's limit, plus its grader's while it grades."""
    task = load_task(spec.task)
    return task.resources.memory_bytes + (task.grader.resources or task.resources).memory_bytes


@dataclass
class SweepReport:
    """What a sweep run did."""

    done: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    skipped: int = 0
    interrupted: bool = False
    seconds: float = 0.0


def run_sweep(specs: list[EpisodeSpec], outdir: Path, executor: Executor, parallel: int = 1,
              memory: int | None = None, progress: bool | None = None) -> SweepReport:
    """Run the episodes of ``specs`` not yet in ``outdir``'s index, ``parallel`` at a time.

    ``memory``: bytes the running episodes may reserve together (default: 90 % of what is available).
    ``progress``: a live display (default: when stdout is a terminal; else a line per episode).
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    finished = {line["key"] for line in read_index(outdir) if not line.get("error")}
    pending = [s for s in specs if s.key not in finished]
    report = SweepReport(skipped=len(specs) - len(pending))
    budget = memory if memory is not None else int(memory_available() * 0.9)
    display = Progress(specs, finished, live=sys.stdout.isatty() if progress is None else progress)
    running: dict[Any, tuple[EpisodeSpec, int]] = {}
    start = time.monotonic()
    try:
        with display:
            while pending or running:
                while pending and len(running) < parallel:
                    need = reservation(pending[0])
                    if running and sum(r for _, r in running.values()) + need > budget:
                        break  # wait for memory; a lone episode always runs
                    spec = pending.pop(0)
                    running[executor.start(spec, outdir / f"{spec.key}.ipynb")] = (spec, need)
                    display.started(spec)
                for job, outcome in executor.wait(list(running), timeout=0.5):
                    running.pop(job)
                    _record(outdir, outcome)
                    (report.failed if outcome.error else report.done).append(outcome)
                    display.ended(outcome)
                display.refresh()
    except KeyboardInterrupt:
        report.interrupted = True
        executor.cancel(list(running))
    finally:
        executor.close()
        report.seconds = round(time.monotonic() - start, 2)
    return report


def _record(outdir: Path, outcome: Outcome) -> None:
    line = outcome.summary if outcome.summary else {"key": outcome.spec.key, "spec": outcome.spec.model_dump(),
                                                    "error": outcome.error}
    with open(outdir / INDEX, "a") as index:  # one write per line, by this process only
        index.write(json.dumps({**line, **outcome.extra}) + "\n")


class Progress:
    """Done / running / failed, elapsed time and the best final test score per task: live on a terminal
    (rich), one line per finished episode otherwise."""

    def __init__(self, specs: list[EpisodeSpec], finished: set[str], live: bool) -> None:
        self.total, self.done, self.failed = len(specs), len(finished), 0
        self.running: set[str] = set()
        self.best: dict[str, float] = {}
        self.start = time.monotonic()
        self.live = None
        if live:
            from rich.live import Live

            self.live = Live(self._table(), refresh_per_second=2, transient=False)

    def __enter__(self) -> Progress:
        if self.live is not None:
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(*exc)

    def started(self, spec: EpisodeSpec) -> None:
        self.running.add(spec.key)

    def ended(self, outcome: Outcome) -> None:
        key = outcome.spec.key
        self.running.discard(key)
        if outcome.error:
            self.failed += 1
            message = f"FAILED {key}: {outcome.error}"
        else:
            self.done += 1
            final = (outcome.summary or {}).get("final") or {}
            test = final.get("test")
            if test is not None:
                task = outcome.spec.task
                sign = 1 if load_task(task).metric.direction == "maximize" else -1
                self.best[task] = test if task not in self.best else max(self.best[task], test, key=lambda v: sign * v)
            message = f"done {key}: {outcome.summary.get('exit')} (test {test})"
        if self.live is None:
            print(f"[bench] {self._counts()} | {message}", flush=True)
        else:
            self.live.console.print(message)

    def _counts(self) -> str:
        return (f"{self.done}/{self.total} done, {len(self.running)} running, {self.failed} failed, "
                f"{since(self.start)}")

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(title=self._counts(), show_header=True)
        table.add_column("task")
        table.add_column("best final test score")
        for task, value in sorted(self.best.items()):
            table.add_row(task, f"{value:g}")
        for key in sorted(self.running):
            table.add_row(key, "[running]")
        return table

    def refresh(self) -> None:
        if self.live is not None:
            with contextlib.suppress(Exception):
                self.live.update(self._table())
