"""Sandboxes without Docker: bubblewrap when installed, else a plain child process.

With bubblewrap (and the local kernel venv from ``mlgym-nb images build``), the kernel runs as
``layout.KERNEL_UID`` in new pid, ipc and network namespaces, sees only /usr, /etc, its venv and
its mounts, as in a container, but without memory, CPU or pids limits. The ``none`` backend is a
plain child process with the network and the whole file system; it works everywhere so that the
loop can run, and says so loudly once per process.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

from ..paths import KERNELS_DIR, cache_dir, family_requirements
from . import layout
from .base import Mount, RunResult, Sandbox, exit_reason

_warned: set[str] = set()


def local_venv(family: str) -> Path:
    """Where the bubblewrap kernel's venv for a family lives (readable by uid 1000)."""
    return cache_dir() / "local-venv" / family


def _stamp(family: str) -> str:
    """What a local venv is built from: the family's requirements and the docs indexer."""
    indexer = hashlib.sha256((KERNELS_DIR / "build_docs_index.py").read_bytes()).hexdigest()[:12]
    return family_requirements(family).read_text() + f"\n# docs index {indexer}\n"


def local_venv_current(family: str) -> bool:
    """Whether the family's local venv exists and matches its requirements."""
    stamp = local_venv(family) / ".requirements"
    return stamp.exists() and stamp.read_text() == _stamp(family)


def build_local_venv(family: str, wheels: Path) -> Path:
    """Create the family's venv from Debian's python3 with the family's wheels (offline)."""
    venv = local_venv(family)
    requirements = family_requirements(family)
    shutil.rmtree(venv, ignore_errors=True)
    # Debian's interpreter, not a pyenv one under root's 0700 home: uid 1000 must be able to run it.
    subprocess.run(["/usr/bin/python3", "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-index", "--find-links", str(wheels),
                    "-r", str(requirements)], check=True)
    (venv / "docs").mkdir()
    subprocess.run([str(venv / "bin" / "python"), str(KERNELS_DIR / "build_docs_index.py"), str(venv / "docs" /
                    "index.jsonl"), "numpy", "pandas", "scipy", "sklearn", "matplotlib"], check=True,
                   stderr=subprocess.DEVNULL)
    (venv / ".requirements").write_text(_stamp(family))
    return venv


def bubblewrap_usable(family: str) -> bool:
    """bwrap is installed, the family's venv is built, and (as root) setpriv can drop to the kernel's uid."""
    return bool(shutil.which("bwrap") and local_venv_current(family) and (os.geteuid() != 0 or shutil.which("setpriv")))


def _warn(kind: str) -> None:
    if kind in _warned:
        return
    _warned.add(kind)
    if kind == "none":
        msg = ("mlgym_nb: the local sandbox runs kernels WITHOUT isolation (no container, network on, your "
               "user's files visible, no limits). Start Docker (`sudo bash kernels/setup-host.sh`) for the "
               "isolated default, or install bubblewrap and run `mlgym-nb images build`")
    else:
        msg = ("mlgym_nb: the local sandbox uses bubblewrap: no network and a read-only system, but no memory, "
               "CPU or pids limits. Start Docker (`sudo bash kernels/setup-host.sh`) for the full isolation")
    warnings.warn(msg, RuntimeWarning, stacklevel=4)


class ProcessSandbox(Sandbox):
    """A kernel or grader as a plain child process: no isolation at all (the ``none`` backend)."""

    kind = "none"
    maps_paths = False

    def __init__(self, resources, family: str, label: str) -> None:
        super().__init__(resources, family, label)
        self.process: subprocess.Popen[bytes] | None = None
        _warn(self.kind)

    def _command(self, argv: list[str], mounts: list[Mount], scorer: bool) -> list[str]:
        return [sys.executable if a == "python" else self.inside(a, mounts) for a in argv]

    def _env(self, mounts: list[Mount]) -> dict[str, str]:
        env = _host_env()
        env["PYTHONPATH"] = str(KERNELS_DIR)  # the kernel extension
        # Code with fixed layout paths (graders' helpers) finds the host folders through these.
        env.update({mount_env(m.inside): str(m.host) for m in mounts})
        env["MLGYM_ISOLATE_PLAYERS"] = "0"  # no sandbox to switch users in: graders run submitted code as is
        env["MLGYM_DOCS_INDEX"] = str(local_venv(self.family) / "docs" / "index.jsonl")  # for %docs
        return env

    def _cwd(self, mounts: list[Mount]) -> Path | None:
        return next((m.host for m in mounts if m.inside == layout.WORKSPACE), None)

    def start(self, argv: list[str], mounts: list[Mount]) -> None:
        conn = next(m.host for m in mounts if m.inside == layout.CONN)
        with open(conn / "kernel.log", "ab") as log:  # the kernel's own chatter, kept out of the terminal
            self.process = subprocess.Popen(self._command(argv, mounts, False), cwd=self._cwd(mounts),
                                            env=self._env(mounts), start_new_session=True, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=log)

    def poll(self) -> int | None:
        return -1 if self.process is None else self.process.poll()

    def send_signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signum)

    def close(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def death_reason(self) -> str:
        return exit_reason(self.poll())

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "python": sys.executable}

    def run(self, argv: list[str], mounts: list[Mount], timeout: float, scorer: bool = False) -> RunResult:
        try:
            proc = subprocess.run(self._command(argv, mounts, scorer), cwd=self._cwd(mounts) or "/",
                                  env=self._env(mounts), capture_output=True, text=True, timeout=timeout,
                                  start_new_session=True)
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
            return RunResult(124, out, "", "time")
        return RunResult(proc.returncode, proc.stdout, proc.stderr)


def _host_env() -> dict[str, str]:
    """This process's environment without the harness's own variables, with the sandboxes' runtime settings."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "MLGYM_", "OPENAI_"))}
    return {**kept, **layout.RUNTIME_ENV}


def mount_env(inside: str) -> str:
    """The variable that tells code in the ``none`` sandbox where a layout path is on the host."""
    return "MLGYM_" + inside.strip("/").replace("/", "_").upper() + "_DIR"


class BubblewrapSandbox(ProcessSandbox):
    """A kernel or grader under bubblewrap: namespaces and a minimal read-only root, no resource limits."""

    kind = "bubblewrap"
    maps_paths = True

    def _command(self, argv: list[str], mounts: list[Mount], scorer: bool) -> list[str]:
        argv = [f"{layout.VENV}/bin/python" if a == "python" else a for a in argv]
        # The venv sits at /opt/venv as in the image; --perms because bwrap makes parent folders 0700.
        cmd = ["bwrap", "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc", "--dev", "/dev", "--proc", "/proc",
               "--perms", "1777", "--tmpfs", "/tmp", "--perms", "0755", "--dir", "/opt",
               "--ro-bind", str(local_venv(self.family)), layout.VENV,
               "--ro-bind", str(KERNELS_DIR), layout.KERNEL_EXT_DIR, "--setenv", "PYTHONPATH", layout.KERNEL_EXT_DIR,
               "--ro-bind-try", str(local_venv(self.family) / "docs"), "/opt/venv-docs"]
        if scorer:
            cmd += ["--perms", "0700", "--dir", layout.SECRET]
        for link in ("bin", "sbin", "lib", "lib64"):
            if Path(f"/usr/{link}").exists():
                cmd += ["--symlink", f"usr/{link}", f"/{link}"]
        for mount in mounts:
            cmd += ["--bind" if mount.writable else "--ro-bind", str(mount.host), mount.inside]
        cmd += ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--unshare-net",
                "--die-with-parent", "--chdir", layout.WORKSPACE if self._cwd(mounts) else "/",
                "--unsetenv", "JPY_PARENT_PID"]
        for key, value in layout.KERNEL_ENV.items():
            cmd += ["--setenv", key, value]
        if os.geteuid() != 0:
            return cmd[:1] + ["--unshare-user"] + cmd[1:] + argv
        if scorer:  # root with the scorer's capabilities only (no-new-privs is always set by bwrap)
            caps = [x for cap in layout.SCORER_CAPS for x in ("--cap-add", f"CAP_{cap}")]
            return cmd[:1] + ["--cap-drop", "ALL", *caps] + cmd[1:] + argv
        # As root, bwrap sets the mounts up with root's rights (the sources may sit in 0700 folders), and
        # the agent's code then runs as the kernel's uid with no capabilities and no way to regain privileges.
        uid = str(layout.KERNEL_UID)
        return cmd + ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                      "--bounding-set=-all", "--no-new-privs"] + argv

    def _env(self, mounts: list[Mount]) -> dict[str, str]:
        return _host_env()

    def describe(self) -> dict[str, Any]:
        return {**Sandbox.describe(self), "python": f"{layout.VENV}/bin/python"}
