"""Task data and workspaces on the host: data prepared once per task, a workspace per episode.

A workspace is *live* while its kernel runs: a folder under the cache that the sandbox mounts at
/workspace. As root it is a size-limited filesystem of its own (a sparse ext4 image on a loop
device, ``resources.disk``), so a cell that writes without end gets ENOSPC in the kernel and the
host's disk never fills. Its *archive* path, next to the episode notebook, is a symbolic link to the
live folder during the episode and becomes a plain folder when the episode ends (``finish``).
Workspaces whose owning process died (SIGKILL) are archived by the next process that makes one.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path

from . import datasets
from .errors import EpisodeError, TaskError
from .paths import cache_dir
from .sandbox.layout import KERNEL_UID
from .tasks import TaskSpec

_OWNER = f"{socket.gethostname()}:{os.getpid()}"
_reaped = False
_warned = False


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


def _lock(path: Path) -> None:
    """Make a tree readable by its owner only: hidden data is for the grader's scorer, never its players."""
    for root, _dirs, files in os.walk(path):
        os.chmod(root, 0o700)
        for name in files:
            os.chmod(Path(root) / name, 0o600)


def _prepare_hash(task: TaskSpec, raw: Path | None, stand_in: bool = False) -> str:
    """Of the task folder's files and, for external data, of its data folder's listing (path, size, mtime);
    for a stand-in, of its files' contents, so that equal stand-ins written apart share one preparation."""
    digest = hashlib.sha256()
    for path in sorted((task.root).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(task.root).as_posix().encode() + path.read_bytes())
    for path in sorted(raw.rglob("*")) if raw else []:
        if stand_in:
            if path.is_file():
                digest.update(path.relative_to(raw).as_posix().encode() + b"\0" + path.read_bytes())
        else:
            info = path.stat()
            digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:16]


def prepared_data(task: TaskSpec) -> tuple[Path, Path]:
    """The task's (public, hidden) data folders, built by its prepare script when out of date.

    Data prepared from a stand-in (datasets.STAND_IN) has a folder per stand-in content, marked the same
    way: tests that write stand-ins of their own never replace the data under one another's kernels.
    """
    raw = datasets.require(task) if task.data else None
    stand_in = raw is not None and datasets.is_stand_in(raw)
    want = _prepare_hash(task, raw, stand_in)
    out = cache_dir() / "data" / (f"{task.id}.stand-in-{want}" if stand_in else task.id)
    out.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(out.parent, 0o755)
    stamp = out / ".prepared"
    public, hidden = out / "public", out / "hidden"
    with open(out.parent / f".{out.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent episodes prepare once, and never see half the data
        if not (stamp.exists() and stamp.read_text() == want):
            _prepare(task, out, want, raw, stand_in)
    if stand_in:
        _prune_stand_ins(task, keep=out)
    return public, hidden


#: Data prepared from other stand-ins is removed once this old: no episode on it can still be running.
STALE_STAND_IN = 24 * 3600


def _prune_stand_ins(task: TaskSpec, keep: Path) -> None:
    for old in keep.parent.glob(f"{task.id}.stand-in-*"):
        try:
            if old != keep and time.time() - old.stat().st_mtime > STALE_STAND_IN:
                shutil.rmtree(old, ignore_errors=True)
                (old.parent / f".{old.name}.lock").unlink(missing_ok=True)
        except FileNotFoundError:
            pass  # pruned by a concurrent call


def _prepare(task: TaskSpec, out: Path, stamp: str, raw: Path | None, stand_in: bool) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f".{task.id}-", dir=out.parent))
    (tmp / "public").mkdir()
    (tmp / "hidden").mkdir()
    if stand_in:
        shutil.copyfile(raw / datasets.STAND_IN, tmp / datasets.STAND_IN)
    if task.prepare:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(task.common_dir), os.environ.get("PYTHONPATH", "")])}
        proc = subprocess.run([sys.executable, str(task.root / task.prepare), str(tmp)] + ([str(raw)] if raw else []),
                              capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise TaskError(f"{task.root / task.prepare} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    _share(tmp / "public")
    _lock(tmp / "hidden")
    os.chmod(tmp, 0o755)
    (tmp / ".prepared").write_text(stamp)
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)


def ensure_unused(path: Path) -> None:
    """Refuse to reuse a workspace path: an earlier episode's work is never overwritten."""
    if path.is_symlink() or (path.exists() and (not path.is_dir() or any(path.iterdir()))):
        raise EpisodeError(f"workspace {path} already exists; choose another episode path (or remove it)")


def _can_limit_disk() -> bool:
    return (os.geteuid() == 0 and Path("/dev/loop-control").exists() and shutil.which("mkfs.ext4") is not None
            and shutil.which("mount") is not None)


def copy_tree(source: Path, target: Path) -> list[str]:
    """Copy a workspace: folders and regular files, symbolic links as links (never followed).

    FIFOs, sockets and devices are skipped (opening a FIFO would block). Returns what was skipped.
    """
    skipped = []
    target.mkdir(parents=True, exist_ok=True)
    for entry in os.scandir(source):
        src, dst = Path(entry.path), target / entry.name
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISLNK(mode):
            os.symlink(os.readlink(src), dst)
        elif stat.S_ISDIR(mode):
            skipped += copy_tree(src, dst)
        elif stat.S_ISREG(mode):
            shutil.copy2(src, dst, follow_symlinks=False)
        else:
            skipped.append(str(src))
    shutil.copystat(source, target, follow_symlinks=False)
    return skipped


class Workspace:
    """The folder an episode's kernel works in. Make one with ``Workspace.create``.

    ``path`` is what sandboxes mount; ``archive`` (optional) where it ends up after ``finish``.
    """

    def __init__(self, path: Path, image: Path | None, disk: int | None) -> None:
        self.path = path
        self.image = image
        self.disk = disk
        """The size limit in bytes, or None when the workspace is a plain, unlimited folder."""
        self.archive: Path | None = None

    @classmethod
    def create(cls, task: TaskSpec, archive: str | Path | None = None) -> Workspace:
        """A fresh workspace holding the task's starter files, owned by the kernel's uid."""
        global _reaped, _warned
        if not _reaped:
            _reaped = True
            reap_workspaces()
        if archive is not None:
            archive = Path(archive)
            ensure_unused(archive)
        live_root = cache_dir() / "live"
        live_root.mkdir(parents=True, exist_ok=True)
        os.chmod(live_root, 0o755)
        name = uuid.uuid4().hex[:12]
        path = live_root / name
        path.mkdir(mode=0o755)
        image, disk = None, None
        if _can_limit_disk():
            disk = task.resources.disk_bytes
            try:
                image = _mount_image(path, disk)
            except (OSError, subprocess.CalledProcessError) as exc:
                image, disk = None, None
                if not _warned:
                    _warned = True
                    warnings.warn(f"mlgym_nb: workspaces are not size-limited: mounting a loop file system failed "
                                  f"({exc})", RuntimeWarning, stacklevel=2)
        ws = cls(path, image, disk)
        ws._write_meta()
        task.copy_starter(path)
        _share(path, owner=KERNEL_UID)
        if archive is not None:
            ws.claim(archive)
        return ws

    def claim(self, archive: str | Path) -> None:
        """Link ``archive`` (next to the episode notebook) to this workspace until ``finish``."""
        archive = Path(archive).absolute()
        ensure_unused(archive)
        archive.parent.mkdir(parents=True, exist_ok=True)
        if archive.is_dir():
            archive.rmdir()
        os.symlink(self.path, archive)
        self.archive = archive
        self._write_meta()

    def _meta_file(self) -> Path:
        return self.path.with_suffix(".json")

    def _write_meta(self) -> None:
        meta = {"owner": _OWNER, "archive": str(self.archive) if self.archive else None,
                "image": str(self.image) if self.image else None}
        self._meta_file().write_text(json.dumps(meta))

    def finish(self) -> Path | None:
        """Turn the live workspace into a plain folder at ``archive`` (removed if there is none). Idempotent.

        Returns the archive path. Call it after the kernel has stopped.
        """
        if not self.path.exists() and not self._meta_file().exists():
            return self.archive
        if self.archive is not None:
            tmp = self.archive.with_name(f".{self.archive.name}.tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            if self.image is None and self.archive.is_symlink():
                self.archive.unlink()
                shutil.move(str(self.path), str(self.archive))
            else:
                copy_tree(self.path, tmp)
                if self.archive.is_symlink():
                    self.archive.unlink()
                os.replace(tmp, self.archive)
        self._remove_live()
        return self.archive

    def discard(self) -> None:
        """Remove the workspace and its archive link without keeping anything."""
        if self.archive is not None and self.archive.is_symlink():
            self.archive.unlink()
        self.archive = None
        self._remove_live()

    def _remove_live(self) -> None:
        if self.image is not None:
            _unmount(self.path)
            self.image.unlink(missing_ok=True)
        shutil.rmtree(self.path, ignore_errors=True)
        self._meta_file().unlink(missing_ok=True)


def _mount_image(path: Path, size: int) -> Path:
    """A sparse ext4 image of ``size`` bytes mounted at ``path``; returns the image file."""
    disks = cache_dir() / "disks"
    disks.mkdir(parents=True, exist_ok=True)
    os.chmod(disks, 0o700)
    image = disks / f"{path.name}.img"
    with open(image, "wb") as f:
        f.truncate(size)
    try:
        # No journal and no reserved blocks: a scratch file system, sized to the byte the task allows.
        subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", "-O", "^has_journal",
                        "-E", f"root_owner={KERNEL_UID}:{KERNEL_UID}", str(image)],
                       check=True, capture_output=True)
        # discard: blocks freed in the workspace are freed in the sparse image too.
        subprocess.run(["mount", "-o", "loop,nosuid,nodev,discard", str(image), str(path)],
                       check=True, capture_output=True)
    except BaseException:
        image.unlink(missing_ok=True)
        raise
    (path / "lost+found").rmdir()
    return image


def _unmount(path: Path) -> None:
    if os.path.ismount(path):
        # -l: a container that still holds the mount keeps it; the loop device goes with the last user.
        subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


def reap_workspaces(dry_run: bool = False) -> list[str]:
    """Archive the live workspaces whose owning process on this host is gone; returns their paths."""
    live_root = cache_dir() / "live"
    host = socket.gethostname()
    reaped = []
    for meta_file in live_root.glob("*.json") if live_root.is_dir() else []:
        try:
            meta = json.loads(meta_file.read_text())
        except (OSError, ValueError):
            continue
        owner_host, _, pid = str(meta.get("owner", "")).partition(":")
        if owner_host != host or not pid.isdigit() or alive(int(pid)):
            continue
        if dry_run:
            reaped.append(str(meta_file.with_suffix("")))
            continue
        ws = Workspace(meta_file.with_suffix(""), Path(meta["image"]) if meta.get("image") else None, None)
        ws.archive = Path(meta["archive"]) if meta.get("archive") else None
        if ws.archive is not None and not ws.archive.is_symlink():
            ws.archive = None  # the link was removed or replaced: nothing to archive into
        ws.finish()
        reaped.append(str(ws.path))
    return reaped


def alive(pid: int) -> bool:
    """Whether a process of this host runs (or is not ours to signal)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
