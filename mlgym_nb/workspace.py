"""Task data and workspaces on the host: prepared once per task, materialised per episode."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .errors import EpisodeError, TaskError
from .paths import cache_dir
from .tasks import TaskSpec

KERNEL_UID = 1000


def _share(path: Path, owner: int | None = None) -> None:
    """Make a tree readable (and traversable) by the kernel's uid; optionally give it to that uid."""
    for root, _dirs, files in os.walk(path):
        os.chmod(root, 0o755)
        for name in files:
            os.chmod(Path(root) / name, 0o644)
        if owner is not None and os.geteuid() == 0:
            os.chown(root, owner, owner)
            for name in files:
                os.chown(Path(root) / name, owner, owner)


def _prepare_hash(task: TaskSpec) -> str:
    digest = hashlib.sha256()
    for path in sorted((task.root).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(task.root).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def prepared_data(task: TaskSpec) -> tuple[Path, Path]:
    """The task's (public, hidden) data folders, built by its prepare script when out of date."""
    out = cache_dir() / "data" / task.id
    out.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(out.parent, 0o755)
    stamp = out / ".prepared"
    public, hidden = out / "public", out / "hidden"
    want = _prepare_hash(task)
    with open(out.parent / f".{task.id}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent episodes prepare once, and never see half the data
        if not (stamp.exists() and stamp.read_text() == want):
            _prepare(task, out, want)
    return public, hidden


def _prepare(task: TaskSpec, out: Path, stamp: str) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f".{task.id}-", dir=out.parent))
    (tmp / "public").mkdir()
    (tmp / "hidden").mkdir()
    if task.prepare:
        proc = subprocess.run([sys.executable, str(task.root / task.prepare), str(tmp)], capture_output=True,
                              text=True)
        if proc.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise TaskError(f"{task.root / task.prepare} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    _share(tmp)
    (tmp / ".prepared").write_text(stamp)
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)


def ensure_unused(path: Path) -> None:
    """Refuse to reuse a workspace that holds files: an earlier episode's work is never overwritten."""
    if path.exists() and any(path.iterdir()):
        raise EpisodeError(f"workspace {path} already exists and is not empty; choose another episode path")


def new_workspace(task: TaskSpec, path: Path) -> Path:
    """Create an empty workspace at ``path`` holding the task's starter files, owned by the kernel's uid."""
    ensure_unused(path)
    path.mkdir(parents=True, exist_ok=True)
    if task.starter:
        shutil.copytree(task.root / task.starter, path, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    _share(path, owner=KERNEL_UID)
    return path
