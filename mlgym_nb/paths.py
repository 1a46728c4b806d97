"""Where the project's folders are: shipped tasks and kernel definitions, run-time state."""

from __future__ import annotations

import os
from pathlib import Path

#: The checkout holding tasks/ and kernels/ (the package is installed from it in editable mode).
PROJECT_ROOT = Path(os.environ.get("MLGYM_ROOT", Path(__file__).resolve().parent.parent))
KERNELS_DIR = PROJECT_ROOT / "kernels"


def family_requirements(family: str) -> Path:
    """The requirements.txt of a kernel family: what its image and its bubblewrap venv install."""
    return KERNELS_DIR / "families" / family / "requirements.txt"


def task_dirs() -> list[Path]:
    """Folders searched for tasks: ``$MLGYM_TASKS_PATH`` (colon-separated) first, then tasks/."""
    extra = [Path(p) for p in os.environ.get("MLGYM_TASKS_PATH", "").split(os.pathsep) if p]
    return [*extra, PROJECT_ROOT / "tasks"]


def cache_dir() -> Path:
    """Run-time state: prepared task data, downloaded wheels, the local kernel venv.

    Kept world-traversable (0755) because kernels run as uid 1000 and read data from here.
    """
    root = Path(os.environ.get("MLGYM_CACHE", "/var/tmp/mlgym_nb" if os.geteuid() == 0
                                 else Path.home() / ".cache" / "mlgym_nb"))
    root.mkdir(parents=True, exist_ok=True)
    return root
