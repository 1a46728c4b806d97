"""Submission intake: the declared submission files, copied out of a hostile workspace as regular files.

The grader never reads the live workspace: before each grading the files a task declares
(``grader.submission``; a name ending in ``/`` is a folder) are copied into a fresh folder that
the grader mounts read-only. The copy never follows a link and refuses, naming the file and the
rule: symbolic links (also as a parent folder), hard links, FIFOs, sockets and devices, paths that
leave the workspace, and more than the task's size cap. Each file is opened once without following
links and checked on the open descriptor, so the agent's kernel cannot swap it in between.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .errors import MlgymError

_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
MAX_FILES = 10_000


class SubmissionRefused(MlgymError, ValueError):
    """A submission file breaks an intake rule; the grade is ``invalid`` with this message."""


@dataclass
class Intake:
    """What was copied: sha256 per relative path, and what was declared but absent."""

    files: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    size: int = 0


def _kind(mode: int) -> str:
    for test, name in [(stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a folder")]:
        if test(mode):
            return name
    return "not a regular file"


class _Copier:
    def __init__(self, dest: Path, cap: int) -> None:
        self.dest, self.cap, self.intake = dest, cap, Intake()

    def file(self, dir_fd: int, name: str, rel: str) -> None:
        before = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if not stat.S_ISREG(before.st_mode):
            raise SubmissionRefused(f"{rel} is {_kind(before.st_mode)}; submissions must be regular files")
        try:
            fd = os.open(name, _READ, dir_fd=dir_fd)
        except OSError as exc:
            raise SubmissionRefused(f"{rel} cannot be opened without following links ({exc.strerror})") from None
        try:
            info = os.fstat(fd)
            if (info.st_ino, info.st_dev) != (before.st_ino, before.st_dev) or not stat.S_ISREG(info.st_mode):
                raise SubmissionRefused(f"{rel} changed while it was being copied; submit again")
            if info.st_nlink != 1:
                raise SubmissionRefused(f"{rel} has {info.st_nlink} hard links; submissions must be plain files")
            room = self.cap - self.intake.size
            data = b""
            while chunk := os.read(fd, min(1 << 20, room + 1 - len(data))):
                data += chunk
                if len(data) > room:
                    raise SubmissionRefused(f"{rel} makes the submission larger than its cap of {self.cap} bytes")
        finally:
            os.close(fd)
        target = self.dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        os.chmod(target, 0o644)
        self.intake.size += len(data)
        self.intake.files[rel] = hashlib.sha256(data).hexdigest()
        if len(self.intake.files) > MAX_FILES:
            raise SubmissionRefused(f"the submission holds more than {MAX_FILES} files")

    def folder(self, fd: int, rel: str) -> None:
        (self.dest / rel).mkdir(parents=True, exist_ok=True)
        for name in sorted(os.listdir(fd)):
            child = f"{rel}/{name}"
            mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
            if stat.S_ISDIR(mode):
                sub = _open_dir(fd, name, child)
                try:
                    self.folder(sub, child)
                finally:
                    os.close(sub)
            else:
                self.file(fd, name, child)


def _open_dir(dir_fd: int, name: str, rel: str) -> int:
    try:
        return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
    except OSError as exc:
        mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
        what = _kind(mode) if not stat.S_ISDIR(mode) else f"not readable ({exc.strerror})"
        raise SubmissionRefused(f"{rel} is {what}; expected a folder") from None


def take_submission(workspace: Path, names: list[str], dest: Path, cap: int) -> Intake:
    """Copy the declared ``names`` from ``workspace`` into ``dest`` (created); raises SubmissionRefused.

    Names that do not exist are listed in ``Intake.missing`` (the grader says what it wanted).
    """
    dest.mkdir(parents=True, exist_ok=True)
    os.chmod(dest, 0o755)
    copier = _Copier(dest, cap)
    root = os.open(workspace, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for declared in names:
            parts = declared.rstrip("/").split("/")
            if declared.startswith("/") or any(p in ("", ".", "..") for p in parts):
                raise SubmissionRefused(f"{declared} leaves the workspace")
            fds = [root]
            try:
                for i, part in enumerate(parts[:-1]):
                    try:
                        fds.append(_open_dir(fds[-1], part, "/".join(parts[: i + 1])))
                    except FileNotFoundError:
                        copier.intake.missing.append(declared)
                        break
                else:
                    last, rel = parts[-1], "/".join(parts)
                    try:
                        if declared.endswith("/"):
                            fds.append(_open_dir(fds[-1], last, rel))
                            copier.folder(fds[-1], rel)
                        else:
                            copier.file(fds[-1], last, rel)
                    except FileNotFoundError:
                        copier.intake.missing.append(declared)
            finally:
                for fd in fds[1:]:
                    os.close(fd)
    finally:
        os.close(root)
    return copier.intake
