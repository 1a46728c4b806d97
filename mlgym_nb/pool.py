"""A warm pool of started kernels for one task, so that reset() need not wait for a container.

A background thread keeps ``size`` kernels ready, each with a fresh workspace made from the
task's starter files. ``take`` hands one over at once (or None when none is ready yet) and
wakes the thread to start a replacement.
"""

from __future__ import annotations

import queue
import shutil
import threading
import uuid
import warnings
from pathlib import Path

from .kernel import KernelSession
from .tasks import TaskSpec
from .workspace import new_workspace


class KernelPool:
    """Pre-started KernelSessions for one task. Close it to remove the idle ones.

    Args:
        task: the task whose kernels to start.
        sandbox: ``docker``, ``local`` or ``auto``.
        size: how many ready kernels to keep.
        root: folder for the idle kernels' workspaces; keep it on the file system of the
            episodes, so that a handed-over workspace can be moved next to its notebook.
    """

    def __init__(self, task: TaskSpec, sandbox: str, size: int, root: Path) -> None:
        self.task, self.sandbox, self.size, self.root = task, sandbox, size, Path(root)
        self._ready: queue.Queue[KernelSession] = queue.Queue()
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
            workspace = new_workspace(self.task, self.root / f"ws-{uuid.uuid4().hex[:12]}")
            try:
                session = KernelSession(self.task, workspace, self.sandbox).start()
                session.preload(("random", "numpy"))
            except Exception as exc:  # noqa: BLE001 - reported, then the env starts kernels itself
                warnings.warn(f"mlgym_nb: the warm pool could not start a kernel ({exc}); resets start cold",
                              RuntimeWarning, stacklevel=1)
                return
            if self._stop.is_set():
                session.close()
                shutil.rmtree(workspace, ignore_errors=True)
                return
            self._ready.put(session)

    def take(self) -> KernelSession | None:
        """A ready kernel, or None if none is ready yet (the caller then starts its own)."""
        try:
            session = self._ready.get_nowait()
        except queue.Empty:
            return None
        finally:
            self._wake.set()
        if not session.is_alive():
            session.close()
            return None
        return session

    def close(self) -> None:
        """Stop refilling and remove the idle kernels. Safe to call twice."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=120)
        while not self._ready.empty():
            session = self._ready.get_nowait()
            session.close()
            shutil.rmtree(session.workspace, ignore_errors=True)  # never handed out: nothing to keep
