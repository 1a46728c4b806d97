"""mlgym_nb: a Jupyter-native environment for ML research agents."""

__version__ = "0.1.0"

from .env import NotebookEnv, make  # noqa: E402
from .errors import (  # noqa: E402
    DockerUnavailableError,
    EpisodeError,
    ImageMissingError,
    KernelDiedError,
    MlgymError,
    SandboxError,
    TaskError,
)
from .tasks import TaskSpec, list_tasks, load_task  # noqa: E402

__all__ = [
    "DockerUnavailableError", "EpisodeError", "ImageMissingError", "KernelDiedError",
    "MlgymError", "NotebookEnv", "SandboxError", "TaskError", "TaskSpec", "__version__", "list_tasks",
    "load_task", "make",
]
