"""Kernelspecs ``mlgym-<task>``: written to disk for Jupyter tools, or built in memory for KernelSession.

An installed kernelspec names the task and a sandbox choice; the provisioner resolves them when
a Jupyter tool starts it. KernelSession instead hands the provisioner a resolved ``KernelLaunch``
(the task spec as given, the sandbox handle, the workspace), so a spec changed in memory is the
one the kernel gets.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel

from .sandbox import Sandbox
from .tasks import TaskSpec, list_tasks, load_task

PROVISIONER = "mlgym-provisioner"


@dataclass
class KernelLaunch:
    """Everything a kernel start needs, resolved."""

    task: TaskSpec
    sandbox: Sandbox
    workspace: Path
    """Host folder mounted at /workspace."""


def kernel_spec_dict(task: TaskSpec, sandbox: str = "auto") -> dict[str, Any]:
    """The kernel.json of a task: its provisioner runs the kernel in the task's sandbox."""
    return {
        # argv is what the provisioner runs inside the sandbox; shown for humans and tools.
        "argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"mlgym: {task.name}",
        "language": "python",
        "interrupt_mode": "message",
        "metadata": {
            "kernel_provisioner": {"provisioner_name": PROVISIONER,
                                   "config": {"task": task.id, "task_root": str(task.root),
                                              "sandbox_kind": sandbox}},
            "mlgym": {"task": task.id, "family": task.family},
        },
    }


def install_kernelspecs(task_ids: list[str] | None = None, user: bool = True, prefix: str | None = None,
                        sandbox: str = "auto") -> list[str]:
    """Write the kernelspecs of the given tasks (all by default); returns the install paths."""
    manager = KernelSpecManager()
    paths = []
    for task_id in task_ids or list_tasks():
        task = load_task(task_id)
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "kernel.json").write_text(json.dumps(kernel_spec_dict(task, sandbox), indent=1))
            paths.append(manager.install_kernel_spec(tmp, task.kernel_name, user=user, prefix=prefix))
    return paths


class LaunchSpecManager(KernelSpecManager):
    """Serves one in-memory kernelspec whose provisioner receives a resolved KernelLaunch."""

    def __init__(self, launch: KernelLaunch, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.launch = launch

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name != self.launch.task.kernel_name:
            raise NoSuchKernel(kernel_name)
        spec = kernel_spec_dict(self.launch.task)
        spec["metadata"]["kernel_provisioner"]["config"] = {"task": self.launch.task.id, "launch": self.launch}
        return KernelSpec(resource_dir="", **spec)
