"""mlgym_nb: a Jupyter-native environment for ML research agents."""

__version__ = "0.1.0"

import sys  # noqa: E402

# jsonschema (under nbformat) imports rfc3987_syntax when it is installed (jupyter-events' extras pull it
# in), and that module compiles some 35 Earley parsers at import: 2.5 s of every `mlgym-nb` command, for
# the "iri" formats that no Jupyter schema uses. Marking it absent makes jsonschema skip those two checkers.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from .actions import Action  # noqa: E402
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
from .registration import register_envs  # noqa: E402
from .tasks import TaskSpec, list_tasks, load_task  # noqa: E402

register_envs()  # gymnasium.make("mlgym/<task>") after `import mlgym_nb`, as gymnasium plugins do

__all__ = [
    "Action", "DockerUnavailableError", "EpisodeError", "ImageMissingError", "KernelDiedError",
    "MlgymError", "NotebookEnv", "SandboxError", "TaskError", "TaskSpec", "__version__", "list_tasks",
    "load_task", "make", "register_envs",
]
