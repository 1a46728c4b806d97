"""The local sandbox, for when no Docker daemon answers: bubblewrap when installed, else a plain subprocess.

With bubblewrap (and the local kernel venv from ``mlgym-nb images build``), the kernel runs as
uid 1000 in new user, pid, ipc and network namespaces, sees only /usr, /etc, its venv, /workspace
and a read-only /data, as in a container, but without memory, CPU or pids limits. Without
bubblewrap it is a plain child process with the network and the whole file system; it works
everywhere so that the loop can run, and says so loudly once per process.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import warnings
from pathlib import Path

from ..paths import KERNELS_DIR, cache_dir, family_requirements
from .base import Mounts, Sandbox

_warned: set[str] = set()
KERNEL_ENV = {"HOME": "/tmp", "IPYTHONDIR": "/tmp/.ipython", "JUPYTER_RUNTIME_DIR": "/tmp/.jrt",
              "MPLCONFIGDIR": "/tmp/.mpl", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}


def local_venv(family: str) -> Path:
    """Where the bubblewrap kernel's venv for a family lives (readable by uid 1000)."""
    return cache_dir() / "local-venv" / family


def local_venv_current(family: str) -> bool:
    """Whether the family's local venv exists and matches its requirements."""
    stamp = local_venv(family) / ".requirements"
    requirements = family_requirements(family)
    return stamp.exists() and stamp.read_text() == requirements.read_text()


def build_local_venv(family: str, wheels: Path) -> Path:
    """Create the family's venv from Debian's python3 with the family's wheels (offline)."""
    venv = local_venv(family)
    requirements = family_requirements(family)
    stamp = venv / ".requirements"
    shutil.rmtree(venv, ignore_errors=True)
    # Debian's interpreter, not a pyenv one under root's 0700 home: uid 1000 must be able to run it.
    subprocess.run(["/usr/bin/python3", "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-index", "--find-links", str(wheels),
                    "-r", str(requirements)], check=True)
    stamp.write_text(requirements.read_text())
    return venv


def _warn(isolation: str) -> None:
    if isolation in _warned:
        return
    _warned.add(isolation)
    if isolation == "none":
        msg = ("mlgym_nb: the local sandbox runs kernels WITHOUT isolation (no container, network on, your "
               "user's files visible, no limits). Start Docker (`sudo bash kernels/setup-host.sh`) for the "
               "isolated default, or install bubblewrap and run `mlgym-nb images build`")
    else:
        msg = ("mlgym_nb: the local sandbox uses bubblewrap: no network and a read-only system, but no memory, "
               "CPU or pids limits. Start Docker (`sudo bash kernels/setup-host.sh`) for the full isolation")
    warnings.warn(msg, RuntimeWarning, stacklevel=4)


class LocalSandbox(Sandbox):
    """A kernel or grader as a child process: under bubblewrap when possible."""

    kind = "local"

    def __init__(self, resources, family: str, label: str) -> None:
        super().__init__(resources, family, label)
        self.process: subprocess.Popen[bytes] | None = None
        venv = local_venv(family)
        usable = shutil.which("bwrap") and local_venv_current(family) and (
            os.geteuid() != 0 or shutil.which("setpriv"))
        self.isolation = "bubblewrap" if usable and os.environ.get("MLGYM_LOCAL_ISOLATION") != "none" else "none"
        self.python = str(venv / "bin" / "python") if self.isolation == "bubblewrap" else sys.executable
        self.conn_inside = "/conn" if self.isolation == "bubblewrap" else None
        _warn(self.isolation)

    def _command(self, argv: list[str], mounts: Mounts, conn_dir: Path | None, workspace_mode: str) -> list[str]:
        if self.isolation == "none":
            return [self.python if a == "python" else a for a in argv]
        argv = ["/opt/venv/bin/python" if a == "python" else a for a in argv]
        # The venv sits at /opt/venv as in the image; --perms because bwrap makes parent folders 0700.
        cmd = ["bwrap", "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc", "--dev", "/dev", "--proc", "/proc",
               "--perms", "1777", "--tmpfs", "/tmp", "--perms", "0755", "--dir", "/opt",
               "--ro-bind", str(local_venv(self.family)), "/opt/venv",
               "--bind" if workspace_mode == "rw" else "--ro-bind", str(mounts.workspace), "/workspace"]
        for link in ("bin", "sbin", "lib", "lib64"):
            if Path(f"/usr/{link}").exists():
                cmd += ["--symlink", f"usr/{link}", f"/{link}"]
        for inside, host in mounts.readonly.items():
            cmd += ["--ro-bind", str(host), inside]
        if conn_dir is not None:
            cmd += ["--bind", str(conn_dir), "/conn"]
        cmd += ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--unshare-net",
                "--die-with-parent", "--chdir", "/workspace", "--unsetenv", "JPY_PARENT_PID"]
        for key, value in KERNEL_ENV.items():
            cmd += ["--setenv", key, value]
        cmd += ["--ro-bind", str(KERNELS_DIR), "/opt/venv-ext", "--setenv", "PYTHONPATH", "/opt/venv-ext"]
        if os.geteuid() != 0:
            return cmd[:1] + ["--unshare-user"] + cmd[1:] + argv
        # As root, bwrap sets the mounts up with root's rights (the sources may sit in 0700 folders), and
        # the agent's code then runs as uid 1000 with no capabilities and no way to regain privileges.
        return cmd + ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--inh-caps=-all",
                      "--bounding-set=-all", "--no-new-privs"] + argv

    def _env(self, mounts: Mounts) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "MLGYM_", "OPENAI_"))}
        if self.isolation == "none":  # no /data or /workspace here: tell the code where they are
            env["PYTHONPATH"] = str(KERNELS_DIR)  # the kernel extension
            env.update({f"MLGYM_{k.strip('/').upper()}_DIR": str(v) for k, v in mounts.readonly.items()})
            env["MLGYM_WORKSPACE_DIR"] = str(mounts.workspace)
        return env

    def launch(self, argv: list[str], mounts: Mounts, conn_dir: Path) -> None:
        if self.isolation == "none":
            argv = [str(conn_dir / "kernel.json") if a == "/conn/kernel.json" else a for a in argv]
        with open(conn_dir / "kernel.log", "ab") as log:  # the kernel's own chatter, kept out of the terminal
            self.process = subprocess.Popen(self._command(argv, mounts, conn_dir, "rw"), cwd=mounts.workspace,
                                            env=self._env(mounts), start_new_session=True, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=log)

    def poll(self) -> int | None:
        return -1 if self.process is None else self.process.poll()

    def send_signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signum)

    def remove(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def death_reason(self) -> str:
        code = self.poll()
        if code is not None and code < 0:
            return f"killed by signal {signal.Signals(-code).name}"
        if code is not None and code > 128 and code - 128 in signal.Signals._value2member_map_:
            return f"killed by signal {signal.Signals(code - 128).name} (exit code {code})"
        return f"the kernel process exited with code {code}"

    def describe(self) -> dict[str, object]:
        return {**super().describe(), "isolation": self.isolation, "python": self.python}

    def run(self, argv: list[str], mounts: Mounts, timeout: float) -> subprocess.CompletedProcess[str]:
        if self.isolation == "none":  # container paths in the command become the host folders
            table = {"/workspace": str(mounts.workspace), **{k: str(v) for k, v in mounts.readonly.items()}}
            for inside, host in table.items():
                argv = [host + a[len(inside):] if a == inside or a.startswith(inside + "/") else a for a in argv]
        try:
            return subprocess.run(self._command(argv, mounts, None, "ro"), cwd=mounts.workspace,
                                  env=self._env(mounts), capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            return subprocess.CompletedProcess(argv, 124, exc.stdout or "", exc.stderr or "")
