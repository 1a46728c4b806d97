"""`mlgym-nb clean`: what processes killed outright leave behind, found and removed.

A driver killed with SIGKILL (or a crashed Jupyter) cannot clean up after itself: its kernel and
grader containers keep running, its live workspaces stay mounted, its kernels' connection folders
(holding the connection key) stay in /tmp, and its grading copies stay in the cache. Each carries its
owner (host and pid); whatever belongs to a process that is gone is removed here (and, for a
workspace, archived next to its notebook first).
"""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

from .errors import DockerUnavailableError
from .paths import cache_dir
from .workspace import alive, reap_workspaces

#: Grading copies older than this belong to a grading that cannot still be running (graders time out).
STALE_GRADING = 6 * 3600


def _dead_owner(path: Path) -> bool:
    try:
        host, _, pid = path.read_text().strip().partition(":")
    except OSError:
        return False
    return host == socket.gethostname() and pid.isdigit() and not alive(int(pid))


def clean(dry_run: bool = False) -> dict[str, list[str]]:
    """Remove (or, with ``dry_run``, list) what dead processes left; returns it by kind."""
    found: dict[str, list[str]] = {"containers": [], "workspaces": [], "connection folders": [], "grading copies": []}
    try:
        from .sandbox.docker import reap_orphans
        from .sandbox.images import docker_client

        found["containers"] = reap_orphans(docker_client(), dry_run=dry_run)
    except DockerUnavailableError:
        pass  # no daemon, no containers
    found["workspaces"] = reap_workspaces(dry_run=dry_run)
    for folder in Path("/tmp").glob("mlg-*"):
        if folder.is_dir() and _dead_owner(folder / "owner"):
            found["connection folders"].append(str(folder))
            if not dry_run:
                shutil.rmtree(folder, ignore_errors=True)
    grading = cache_dir() / "grading"
    for folder in grading.iterdir() if grading.is_dir() else []:
        if folder.is_dir() and time.time() - folder.stat().st_mtime > STALE_GRADING:
            found["grading copies"].append(str(folder))
            if not dry_run:
                shutil.rmtree(folder, ignore_errors=True)
    return found
