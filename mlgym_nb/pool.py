"""A warm pool of started kernels for one task, so that reset() need not wait for a container.

A background thread keeps ``size`` kernels ready, each with a fresh workspace made from the
task's starter files. ``take`` hands one over at once (or None when none is ready yet) and
wakes the thread to start a replacement.
"""

from __future__ import annotations

import queue
import threading
import warnings

from .kernel import KernelSession
from .tasks import TaskSpec
from .workspace import Workspace


class KernelPool:
    """Pre-started KernelSessions for one task. Close it to remove the idle ones.

    Args:
        task: the task whose kernels to start.
        sandbox: a sandbox choice (see NotebookEnv).
        size: how many ready kernels to keep.
    """

    def __init__(self, task: TaskSpec, sandbox: str, size: int) -> None:
        self.task, self.sandbox, self.size = task, sandbox, size
        self._ready: queue.Queue[tuple[KernelSession, Workspace]] = queue.Queue()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._fill, name=f"mlgym-pool-{task.id}", daemon=True)
        self._thread.start()

    def _fill(self) -> None:
        while not self._stop.is_set():
            if self._ready.qsize() >= self.size:
                self._wake.wait(0.5)
                self._wake.clear()
                continue
            workspace = Workspace.create(self.task)
            try:
                session = KernelSession(self.task, workspace.path, self.sandbox).start()
                session.preload(("random", "numpy"))
            except Exception as exc:  # noqa: BLE001 - reported, then the env starts kernels itself
                workspace.discard()
                warnings.warn(f"mlgym_nb: the warm pool could not start a kernel ({exc}); resets start cold",
                              RuntimeWarning, stacklevel=1)
                return
            if self._stop.is_set():
                session.close()
                workspace.discard()
                return
            self._ready.put((session, workspace))

    def take(self) -> tuple[KernelSession, Workspace] | None:
        """A ready kernel and its workspace, or None if none is ready yet (the caller starts its own)."""
        try:
            session, workspace = self._ready.get_nowait()
        except queue.Empty:
            return None
        finally:
            self._wake.set()
        if not session.is_alive():
            session.close()
            workspace.discard()
            return None
        return session, workspace

    def close(self) -> None:
        """Stop refilling and remove the idle kernels. Safe to call twice."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=120)
        while not self._ready.empty():
            session, workspace = self._ready.get_nowait()
            session.close()
            workspace.discard()  # never handed out: nothing to keep
