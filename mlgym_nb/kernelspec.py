"""Kernelspecs ``mlgym-<task>``: written to disk for Jupyter tools, served from memory to our env."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel

from .tasks import TaskSpec, list_tasks, load_task

PROVISIONER = "mlgym-provisioner"


def kernel_spec_dict(task: TaskSpec, sandbox: str = "auto") -> dict:
    """The kernel.json of a task: its provisioner runs the kernel in the task's sandbox."""
    return {
        # argv is what the provisioner runs inside the sandbox; shown for humans and tools.
        "argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"mlgym: {task.name}",
        "language": "python",
        "interrupt_mode": "message",
        "metadata": {
            "kernel_provisioner": {"provisioner_name": PROVISIONER,
                                   "config": {"task": task.id, "sandbox_kind": sandbox}},
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


class TaskKernelSpecManager(KernelSpecManager):
    """Finds installed kernelspecs first and builds ``mlgym-<task>`` ones in memory otherwise."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        try:
            return super().get_kernel_spec(kernel_name)
        except NoSuchKernel:
            if not kernel_name.startswith("mlgym-"):
                raise
            task = load_task(kernel_name.removeprefix("mlgym-"))
            return KernelSpec(resource_dir="", **kernel_spec_dict(task))
