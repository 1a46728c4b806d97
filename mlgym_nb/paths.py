"""Where the project's folders are: shipped tasks and kernel definitions, run-time state.

The tasks and the kernel image definitions ship in the project's checkout, beside the package
(``pip install -e .`` from it), or wherever ``$MLGYM_ROOT`` points; ``require_project`` says so
when they are missing (a plain ``pip install`` of the package alone has no tasks or images).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import MlgymError

#: The checkout holding tasks/ and kernels/.
PROJECT_ROOT = Path(os.environ.get("MLGYM_ROOT", Path(__file__).resolve().parent.parent))
KERNELS_DIR = PROJECT_ROOT / "kernels"


def require_project(what: str) -> Path:
    """PROJECT_ROOT, or an error naming what needs it and how to point at it."""
    if not (KERNELS_DIR / "Dockerfile").is_file() or not (PROJECT_ROOT / "tasks").is_dir():
        raise MlgymError(f"{what} needs the mlgym_nb checkout (tasks/ and kernels/), not found at {PROJECT_ROOT}: "
                         "install from the checkout with `pip install -e .`, or set MLGYM_ROOT to it")
    return PROJECT_ROOT


def family_requirements(family: str) -> Path:
    """The requirements.txt of a kernel family: what its image and its bubblewrap venv install."""
    return KERNELS_DIR / "families" / family / "requirements.txt"


def task_dirs() -> list[Path]:
    """Folders searched for tasks: ``$MLGYM_TASKS_PATH`` (colon-separated) first, then the shipped tasks/."""
    extra = [Path(p) for p in os.environ.get("MLGYM_TASKS_PATH", "").split(os.pathsep) if p]
    return [*extra, PROJECT_ROOT / "tasks"]


def cache_dir() -> Path:
    """Run-time state: prepared task data, live workspaces, downloaded wheels, the local kernel venv.

    Kept world-traversable (0755) because kernels run as uid 1000 and read data from here.
    """
    root = Path(os.environ.get("MLGYM_CACHE", "/var/tmp/mlgym_nb" if os.geteuid() == 0
                                 else Path.home() / ".cache" / "mlgym_nb"))
    root.mkdir(parents=True, exist_ok=True)
    return root
