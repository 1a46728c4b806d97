"""Errors a user can meet. One base class, a shallow tree, each message names the fix."""

from __future__ import annotations


class MlgymError(Exception):
    """Base class of every error raised on purpose by mlgym_nb."""


class TaskError(MlgymError, ValueError):
    """A task is unknown or its task.yaml is invalid."""


class SandboxError(MlgymError, RuntimeError):
    """A sandbox could not be created, started or reached."""


class DockerUnavailableError(SandboxError):
    """No Docker daemon answers."""


class ImageMissingError(SandboxError):
    """A task's kernel image has not been built."""


class KernelDiedError(MlgymError, RuntimeError):
    """The kernel process died (killed, out of memory, crashed)."""


class EpisodeError(MlgymError, RuntimeError):
    """An episode notebook is missing, invalid or used out of order."""


class DataError(MlgymError, RuntimeError):
    """A task's external data is missing, or could not be fetched."""
