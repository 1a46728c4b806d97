"""A person trying a task by hand in JupyterLab, graded like an agent (``mlgym-nb task open ID``).

``open_task`` makes a notebook (the task statement, the starter files, %validate and %submit cells), a
workspace that persists next to it, and a kernelspec whose provisioner runs the task's kernel on that
workspace. In that kernel ``%validate`` and ``%submit`` cannot grade (the kernel has neither the hidden
data nor a way to reach it): they leave a request in ``/workspace/.mlgym/`` and wait. ``GradingWatcher``,
run by the provisioner on the host, answers each request by grading a copy of the submission in the
grader's sandbox, exactly as for an agent, writes the summary back for the magic to print (dev score for
validate, test score for submit), and logs every grading in ``<notebook>.gradings.jsonl`` beside the
notebook, out of the kernel's reach. The workspace is hostile ground: requests are read and answers
written without following links.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import threading
from pathlib import Path

import nbformat

from .grading import grade_splits, summary
from .schema import now
from .tasks import TaskSpec

REQUESTS = ".mlgym"
"""The folder of the workspace where the kernel's magics leave grading requests."""
SHOWN = {"validate": "dev", "submit": "test"}


def _open_requests(workspace: Path) -> int | None:
    """The request folder as a file descriptor, never through a link; None when absent or not a folder."""
    root = os.open(workspace, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return os.open(REQUESTS, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=root)
    except OSError:
        return None
    finally:
        os.close(root)


class GradingWatcher:
    """Answers the grading requests of a person's kernel, in a thread of its own.

    Args:
        task: the task.
        workspace: the kernel's workspace (host path).
        log: where each grading is recorded (outside the workspace).
        sandbox: where graders run.
        interval: seconds between looks at the request folder.
    """

    def __init__(self, task: TaskSpec, workspace: Path, log: Path, sandbox: str = "auto",
                 interval: float = 0.3) -> None:
        self.task, self.workspace, self.log, self.sandbox, self.interval = task, Path(workspace), Path(log), sandbox, \
            interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="mlgym-grading-watcher", daemon=True)

    def start(self) -> GradingWatcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            folder = _open_requests(self.workspace)
            if folder is None:
                continue
            try:
                for name in sorted(os.listdir(folder)):
                    if name.startswith("request-") and name.endswith(".json"):
                        self._answer(folder, name)
            finally:
                os.close(folder)

    def _answer(self, folder: int, name: str) -> None:
        ident = name[len("request-"):-len(".json")]
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise OSError(errno.EINVAL, "not a regular file")
                action = json.loads(os.read(fd, 1024) or b"{}").get("action")
            finally:
                os.close(fd)
            os.unlink(name, dir_fd=folder)
        except (OSError, ValueError, AttributeError):
            return  # not a request we can read: the kernel's magic times out and says so
        if action not in SHOWN or not ident.isalnum():
            return
        scores = grade_splits(self.task, self.workspace, sandbox=self.sandbox)
        shown = scores[SHOWN[action]]
        with open(self.log, "a") as log:  # the record of what a person's work scored, out of the kernel's reach
            log.write(json.dumps({"time": now(), "action": action, "dev": scores["dev"].model_dump(mode="json"),
                                  "test": scores["test"].model_dump(mode="json")}) + "\n")
        text = summary(shown, self.task) + "\n"
        try:
            out = os.open(f"result-{ident}.txt", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644,
                          dir_fd=folder)
        except OSError:
            return
        with os.fdopen(out, "w") as f:
            f.write(text)


def task_notebook(task: TaskSpec, kernel_name: str) -> nbformat.NotebookNode:
    """A notebook to try ``task`` by hand: the statement, the starter files as cells, %validate, %submit."""
    cells = [nbformat.v4.new_markdown_cell(task.read_description()),
             nbformat.v4.new_markdown_cell("The starter files, one cell each: run a cell to write its file back "
                                           "to the workspace after you change it. `%validate` scores your files on "
                                           "the development split, `%submit` on the test split, as for an agent.")]
    for rel, path in task.starter_files().items():
        if path.suffix in (".py", ".txt", ".yaml", ".md", ".csv") and path.stat().st_size < 50_000:
            cells.append(nbformat.v4.new_code_cell(f"%%writefile {rel}\n{path.read_text()}"))
    if task.run_baseline:
        cells.append(nbformat.v4.new_code_cell(task.run_baseline))
    cells += [nbformat.v4.new_code_cell("%validate"), nbformat.v4.new_code_cell("%submit")]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata.kernelspec = {"name": kernel_name, "display_name": f"mlgym: {task.name} (by hand)",
                              "language": "python"}
    nb.metadata.language_info = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:02d}"
    return nb


def open_task(task: TaskSpec, folder: Path, sandbox: str = "auto") -> tuple[Path, str]:
    """The notebook, workspace and kernelspec to try ``task`` by hand in ``folder``; returns the notebook and the
    kernelspec name (installed for this user). Keeps an existing notebook and workspace."""
    import hashlib
    import tempfile

    from jupyter_client.kernelspec import KernelSpecManager

    from .kernelspec import kernel_spec_dict
    from .workspace import KERNEL_UID, _share

    folder = Path(folder).resolve()
    notebook = folder / f"{task.id}.ipynb"
    workspace = notebook.with_suffix(".workspace")
    digest = hashlib.sha256(str(notebook).encode()).hexdigest()[:8]
    kernel_name = f"{task.kernel_name}-{digest}"
    if not workspace.exists():
        workspace.mkdir(parents=True)
        task.copy_starter(workspace)
        (workspace / REQUESTS).mkdir()
        _share(workspace, owner=KERNEL_UID)
    if not notebook.exists():
        nbformat.write(task_notebook(task, kernel_name), notebook)
    spec = kernel_spec_dict(task, sandbox)
    spec["display_name"] = f"mlgym: {task.name} (by hand, {folder.name})"
    spec["metadata"]["kernel_provisioner"]["config"].update(workspace=str(workspace), grading=True)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "kernel.json").write_text(json.dumps(spec, indent=1))
        KernelSpecManager().install_kernel_spec(tmp, kernel_name, user=True)
    return notebook, kernel_name
