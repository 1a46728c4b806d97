"""KernelSession: run cells in a task kernel, with timeouts, death detection and output caps.

Per cell it watches three things, as nbclient does: the iopub outputs, the shell reply, and
whether the kernel is still alive (asked of the sandbox, which knows within a poll interval
and can say why: out of memory, killed, exited). ``input()`` gets the kernel's own
"frontend does not support input requests" error because cells run with ``allow_stdin=False``.

The core is async (``async_run``, ``async_restart``...) on jupyter_client's async manager and
client; each has a sync twin (``run``, ``restart``...) that hands the coroutine to the session's
own event loop, running in a thread of its own: a whole cell costs one hand-over rather than one
loop entry per message, and the sync API works where an event loop already runs (in a notebook).
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import nbformat
from jupyter_client import AsyncKernelManager

from .errors import KernelDiedError, SandboxError
from .kernelspec import KernelLaunch, LaunchSpecManager
from .sandbox import Sandbox, make_sandbox
from .tasks import TaskSpec

#: Caps on what one cell records in the notebook; the agent's text view is cut further.
MAX_STREAM_CHARS = 200_000
MAX_OUTPUTS = 50
MAX_IMAGE_BYTES = 1_000_000
LIVENESS_INTERVAL = 0.2
INTERRUPT_GRACE = 5.0


@dataclass
class CellResult:
    """The outcome of one cell."""

    status: str
    """``ok``, ``error`` (an exception in the cell), ``timeout`` or ``died``."""
    outputs: list[Any] = field(default_factory=list)
    """nbformat output nodes, capped (see ``notes``)."""
    execution_count: int | None = None
    duration: float = 0.0
    notes: list[str] = field(default_factory=list)
    """What the harness did or cut: truncations, interrupts, restarts, deaths."""
    error: dict[str, Any] | None = None
    """``ename``, ``evalue``, ``traceback`` of the cell's exception, if any."""
    usage: dict[str, Any] = field(default_factory=dict)

    def text(self, limit: int = 4000) -> str:
        """What the agent sees: outputs as text, the middle cut past ``limit`` chars, then the notes."""
        parts = []
        for out in self.outputs:
            if out.output_type == "stream":
                parts.append(out.text)
            elif out.output_type == "error":
                parts.append(f"{out.ename}: {out.evalue}\n" + _strip_ansi("\n".join(out.traceback[-3:])))
            else:
                data = out.get("data", {})
                if "text/plain" in data:
                    parts.append(str(data["text/plain"]))
                for mime in data:
                    if mime.startswith("image/"):
                        parts.append(f"[{mime} image]")
        text = "".join(p if p.endswith("\n") else p + "\n" for p in parts)
        if len(text) > limit:
            head, tail = text[: limit * 2 // 3], text[-limit // 3:]
            text = f"{head}\n... [{len(text) - len(head) - len(tail)} characters cut] ...\n{tail}"
        if self.notes:
            text += "".join(f"[{n}]\n" for n in self.notes)
        return text or "[no output]\n"


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


class _OutputSink:
    """Collects iopub messages into capped notebook outputs; ``on_output(kind, text)`` sees them as they come
    (``stream`` text, or the text/plain of a display), for a live view."""

    def __init__(self, on_output: Callable[[str, str], None] | None = None) -> None:
        self.on_output = on_output
        self.outputs: list[Any] = []
        self.notes: list[str] = []
        self.stream_chars = 0
        self.dropped_chars = 0
        self.dropped_outputs = 0
        self.execution_count: int | None = None
        self.error: dict[str, Any] | None = None

    def add(self, msg: dict) -> None:
        kind, content = msg["msg_type"], msg["content"]
        if self.on_output is not None and kind in ("stream", "display_data", "execute_result", "error"):
            text = content.get("text") or (content.get("data") or {}).get("text/plain") or \
                (f"{content.get('ename')}: {content.get('evalue')}" if kind == "error" else "")
            try:
                self.on_output(content.get("name", kind), str(text))
            except Exception:  # noqa: BLE001 - a live view must never break the recording
                pass
        if kind == "execute_input":
            self.execution_count = content.get("execution_count")
            return
        if kind == "clear_output":
            self.outputs.clear()
            return
        if kind == "stream":
            room = MAX_STREAM_CHARS - self.stream_chars
            text = content["text"]
            if room <= 0:
                self.dropped_chars += len(text)
                return
            if len(text) > room:
                self.dropped_chars += len(text) - room
                text = text[:room]
            self.stream_chars += len(text)
            last = self.outputs[-1] if self.outputs else None
            if last is not None and last.output_type == "stream" and last.name == content["name"]:
                last.text += text  # merge consecutive chunks: a print loop is one output, not thousands
                return
            self.outputs.append(nbformat.v4.new_output("stream", name=content["name"], text=text))
            return
        if kind not in ("display_data", "execute_result", "error", "update_display_data"):
            return
        if kind == "update_display_data":
            return  # display updates address earlier outputs by id; the record keeps the first version
        out = nbformat.v4.output_from_msg(msg)
        if kind == "error":
            if content["ename"] == "StdinNotImplementedError":
                self.notes.append("input() is not available: cells cannot read from stdin")
            self.error = {"ename": content["ename"], "evalue": content["evalue"], "traceback": content["traceback"]}
        for mime, value in list(out.get("data", {}).items()):
            if mime.startswith("image/") and len(value) > MAX_IMAGE_BYTES:
                del out["data"][mime]
                out["data"]["text/plain"] = f"[{mime} image of {len(value)} bytes dropped]"
                self.notes.append(f"an image of {len(value)} bytes was dropped (cap {MAX_IMAGE_BYTES})")
        if len(self.outputs) >= MAX_OUTPUTS and kind != "error":
            self.dropped_outputs += 1
            return
        self.outputs.append(out)

    def finish(self) -> None:
        if self.dropped_chars:
            self.notes.append(f"output truncated: {self.dropped_chars} characters of stream output were not "
                              f"recorded (cap {MAX_STREAM_CHARS})")
            self.outputs.append(nbformat.v4.new_output(
                "stream", name="stderr", text=f"\n[mlgym: {self.dropped_chars} more characters not recorded]\n"))
        if self.dropped_outputs:
            self.notes.append(f"{self.dropped_outputs} outputs were not recorded (cap {MAX_OUTPUTS} per cell)")


class KernelSession:
    """A started task kernel. Use as a context manager, or call ``start`` and ``close``.

    Args:
        task: the task whose kernel to run (its spec as given: limits, image family, folder).
        workspace: host folder mounted at /workspace.
        sandbox: a sandbox choice (``auto``, ``docker``, ``local``, ``bubblewrap``, ``none``).
        startup_timeout: seconds to wait for the kernel to answer.
    """

    def __init__(self, task: TaskSpec, workspace: Path, sandbox: str = "auto", startup_timeout: float = 60.0) -> None:
        self.task = task
        self.workspace = Path(workspace)
        self.sandbox_kind = sandbox
        self.startup_timeout = startup_timeout
        self.sandbox: Sandbox | None = None
        """The sandbox handle the kernel runs in (made by start)."""
        self.km: AsyncKernelManager | None = None
        self.kc: Any = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mlgym-kernel-session", daemon=True)
        self._thread.start()

    def _sync(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    # -- lifecycle -------------------------------------------------------------------------
    async def async_start(self) -> KernelSession:
        self.sandbox = make_sandbox(self.sandbox_kind, self.task.resources, self.task.family, f"kernel-{self.task.id}")
        launch = KernelLaunch(self.task, self.sandbox, self.workspace)
        self.km = AsyncKernelManager(kernel_name=self.task.kernel_name, kernel_spec_manager=LaunchSpecManager(launch))
        await self.km.start_kernel()
        await self._async_connect()
        return self

    def start(self) -> KernelSession:
        """Start the kernel and wait until it answers. Raises SandboxError if it cannot start."""
        return self._sync(self.async_start())

    async def _async_connect(self) -> None:
        assert self.km is not None
        if self.kc is not None:
            self.kc.stop_channels()
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            await self.kc.wait_for_ready(timeout=self.startup_timeout)
        except RuntimeError as exc:
            box = self.sandbox
            reason = box.death_reason() if box is not None and box.poll() is not None else str(exc)
            raise SandboxError(f"the kernel of {self.task.id} did not start: {reason}") from None

    async def async_close(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            try:
                await self.km.shutdown_kernel(now=True)
            finally:
                self.km = None

    def close(self) -> None:
        """Shut the kernel down and remove its sandbox. Safe to call twice."""
        if self._loop.is_closed():
            return
        try:
            self._sync(self.async_close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            self._loop.close()

    def __enter__(self) -> KernelSession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def async_restart(self) -> None:
        assert self.km is not None
        await self.km.restart_kernel(now=True)
        await self._async_connect()

    def restart(self) -> None:
        """Restart the kernel in a fresh process; the namespace is lost, /workspace is kept."""
        self._sync(self.async_restart())

    def is_alive(self) -> bool:
        return self.km is not None and not self._loop.is_closed() and self._sync(self.km.is_alive())

    async def async_preload(self, modules: tuple[str, ...]) -> None:
        code = "".join(f"try:\n    __import__({m!r})\nexcept ImportError:\n    pass\n" for m in modules)
        await self.kc.execute_interactive(code, silent=True, store_history=False, timeout=60,
                                          output_hook=lambda msg: None)

    def preload(self, modules: tuple[str, ...]) -> None:
        """Import modules without touching the namespace, history or execution count (warm pools)."""
        self._sync(self.async_preload(modules))

    # -- running cells ---------------------------------------------------------------------
    async def async_run(self, code: str, timeout: float | None = None,
                        on_output: Callable[[str, str], None] | None = None) -> CellResult:
        if self.km is None or self.kc is None:
            raise SandboxError("the kernel session is closed; call start() first")
        timeout = timeout or self.task.limits.cell_timeout
        sink = _OutputSink(on_output)
        start = time.monotonic()
        msg_id = self.kc.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
        status = await self._drain(msg_id, sink, start + timeout)
        if status == "timeout":
            status = await self._after_timeout(msg_id, sink, timeout)
        if status == "died":
            await self._after_death(sink)
        sink.finish()
        reply_status = status
        if status == "idle":
            reply = await self._reply(msg_id)
            reply_status = "error" if (reply or {}).get("status") == "error" or sink.error else "ok"
        usage = self.sandbox.usage() if self.sandbox else {"source": "unavailable"}
        return CellResult(status=reply_status, outputs=sink.outputs, execution_count=sink.execution_count,
                          duration=round(time.monotonic() - start, 3), notes=sink.notes, error=sink.error,
                          usage=usage)

    def run(self, code: str, timeout: float | None = None,
            on_output: Callable[[str, str], None] | None = None) -> CellResult:
        """Run one cell. On timeout: interrupt, then restart if the interrupt is ignored.

        ``on_output(name, text)`` is called from the session's thread as outputs arrive (a live view).
        Raises KernelDiedError only if the kernel cannot be restarted after dying.
        """
        return self._sync(self.async_run(code, timeout, on_output))

    async def _drain(self, msg_id: str, sink: _OutputSink, deadline: float) -> str:
        """Consume iopub until idle; returns ``idle``, ``timeout`` or ``died``."""
        next_check = time.monotonic() + LIVENESS_INTERVAL
        while True:
            now = time.monotonic()
            if now >= deadline:
                return "timeout"
            if now >= next_check:
                if not await self.km.is_alive():
                    return "died"
                next_check = now + LIVENESS_INTERVAL
            try:
                msg = await self.kc.get_iopub_msg(timeout=min(LIVENESS_INTERVAL, max(deadline - now, 0.01)))
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "idle"
            sink.add(msg)

    async def _reply(self, msg_id: str) -> dict | None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                reply = await self.kc.get_shell_msg(timeout=0.5)
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") == msg_id:  # skip late replies of interrupted cells
                return reply["content"]
        return None

    async def _after_timeout(self, msg_id: str, sink: _OutputSink, timeout: float) -> str:
        await self.km.interrupt_kernel()
        status = await self._drain(msg_id, sink, time.monotonic() + INTERRUPT_GRACE)
        if status == "idle":
            sink.notes.append(f"cell timed out after {timeout:g} s and was interrupted; variables are kept")
            return "timeout"
        if status == "died":
            return "died"
        await self.async_restart()
        sink.notes.append(f"cell timed out after {timeout:g} s and ignored the interrupt; the kernel was "
                          "restarted: variables are lost, files in /workspace are kept")
        return "timeout"

    async def _after_death(self, sink: _OutputSink) -> None:
        reason = self.sandbox.death_reason() if self.sandbox else "unknown"
        try:
            await self.async_restart()
        except Exception as exc:
            raise KernelDiedError(f"kernel died: {reason}; restarting it failed: {exc}") from None
        sink.notes.append(f"kernel died: {reason}; it was restarted: variables are lost, files in /workspace "
                          "are kept")
