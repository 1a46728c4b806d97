"""Where kernels and graders run. One registry of backends: docker, bubblewrap, none.

Users name a sandbox as ``docker``, ``bubblewrap``, ``none``, or one of two choices:
``local`` (bubblewrap when usable, else none) and ``auto`` (Docker when a daemon answers, else local).
"""

from __future__ import annotations

from ..errors import DockerUnavailableError, SandboxError
from ..tasks import ResourcesSpec
from .base import Mount, RunResult, Sandbox

CHOICES = ("auto", "docker", "local", "bubblewrap", "none")


def _backends() -> dict[str, type[Sandbox]]:
    from .docker import DockerSandbox
    from .local import BubblewrapSandbox, ProcessSandbox

    return {"docker": DockerSandbox, "bubblewrap": BubblewrapSandbox, "none": ProcessSandbox}


def resolve(kind: str, family: str) -> str:
    """The backend a sandbox choice names here and now: ``auto`` and ``local`` decided, others checked.

    Raises SandboxError for an unknown kind or an unusable bubblewrap.
    """
    from .images import docker_client
    from .local import bubblewrap_usable

    if kind == "auto":
        try:
            docker_client()
            return "docker"
        except DockerUnavailableError:
            kind = "local"
    if kind == "local":
        return "bubblewrap" if bubblewrap_usable(family) else "none"
    if kind not in _backends():
        raise SandboxError(f"unknown sandbox {kind!r}; choose one of {', '.join(CHOICES)}")
    if kind == "bubblewrap" and not bubblewrap_usable(family):
        raise SandboxError("bubblewrap is not usable here: install it (`apt-get install bubblewrap`) and build the "
                           f"family's venv (`mlgym-nb images build {family}`), or use --sandbox local")
    return kind


def make_sandbox(kind: str, resources: ResourcesSpec, family: str, label: str) -> Sandbox:
    """A sandbox handle of backend ``kind`` (or the backend ``auto`` / ``local`` choose, see ``resolve``).

    Raises SandboxError for an unknown kind, DockerUnavailableError when ``docker`` is asked for
    and no daemon answers, ImageMissingError when the family's image is not built.
    """
    return _backends()[resolve(kind, family)](resources, family, label)


__all__ = ["CHOICES", "Mount", "RunResult", "Sandbox", "make_sandbox", "resolve"]
