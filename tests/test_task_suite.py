"""Every shipped task: `tasks check` reproduces its baseline and its reference beats it; hidden files
never reach the agent's container. Tasks with external data run on their stand-in data (it is not here)."""

import hashlib
import re
import shutil
import subprocess
import sys

import pytest

from mlgym_nb.datasets import data_dir, write_stand_in
from mlgym_nb.kernel import KernelSession
from mlgym_nb.tasks import list_tasks, load_task
from mlgym_nb.workspace import Workspace, prepared_data

pytestmark = pytest.mark.docker
TASKS = list_tasks()
# A timed grader's score is a speedup: checked apart from the other tests (see conftest's `serial`).
CHECKS = [pytest.param(t, marks=pytest.mark.serial) if load_task(t).grader.timed else t for t in TASKS]


@pytest.fixture(scope="module", autouse=True)
def stand_in_data(module_data):
    """Stand-in data for the tasks with external data, in a data folder of this module's own."""
    for task in map(load_task, TASKS):
        if task.data:
            write_stand_in(task, data_dir(task))


@pytest.mark.parametrize("task_id", CHECKS)
def test_tasks_check(task_id):
    stand_in = load_task(task_id).data is not None
    proc = subprocess.run([sys.executable, "-m", "mlgym_nb.cli", "tasks", "check", task_id, "--sandbox", "docker",
                           "--fast"] + (["--stand-in"] if stand_in else []), capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith(f"{task_id}: ok" + (" (stand-in data)" if stand_in else ""))
    assert re.search(r"^\[check\] baseline: \d+m\d\ds ", proc.stdout, re.M), proc.stdout  # wall times, for the docs
    assert re.search(r"^\[check\] reference: \d+m\d\ds ", proc.stdout, re.M), proc.stdout


@pytest.mark.parametrize("task_id", TASKS)
def test_hidden_files_are_not_in_the_agent_container(task_id, tmp_path, no_leftover_containers):
    task = load_task(task_id)
    public, hidden = prepared_data(task)
    grader = (task.root / task.grader.script).parent

    def digests(*files):
        return {(p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest()) for p in files
                if p.is_file() and p.suffix != ".pyc" and p.stat().st_size}

    # Files are recognised by content (size, then sha256), whatever their name or place. Grader files
    # that the task also gives the agent on purpose (a solver, the baseline) are not secret.
    secret: dict[int, set[str]] = {}
    raw = list(data_dir(task).rglob("*")) if task.data else []  # the fetched data holds every label
    for size, digest in digests(*hidden.rglob("*"), *grader.rglob("*"), *raw) - digests(
            *public.rglob("*"), *task.starter_files().values()):
        secret.setdefault(size, set()).add(digest)
    assert secret
    code = ("import hashlib, os\nsecret = %r\nfound = []\n"
            "for top in os.listdir('/'):\n"
            "    if top in ('proc', 'sys', 'dev'):\n        continue\n"
            "    for root, _dirs, files in os.walk('/' + top):\n"
            "        for f in files:\n"
            "            p = os.path.join(root, f)\n"
            "            try:\n                size = os.path.getsize(p)\n"
            "            except OSError:\n                continue\n"
            "            if size in secret and hashlib.sha256(open(p, 'rb').read()).hexdigest() in secret[size]:\n"
            "                found.append(p)\n"
            "print(sorted(found))") % (secret,)
    ws = Workspace.create(task, tmp_path / "ws")
    workspace = ws.path
    with KernelSession(task, workspace, sandbox="docker") as session:
        result = session.run(code, timeout=120)
        assert result.status == "ok", result.text()
        assert result.text().strip() == "[]"
        # the probe must see a leak if there is one (a hidden file that the agent is not also given)
        planted = next(p for p in hidden.rglob("*") if digests(p) and digests(p) <= {
            (size, digest) for size, found in secret.items() for digest in found})
        shutil.copy(planted, workspace / "leak.bin")
        (workspace / "leak.bin").chmod(0o644)
        assert session.run(code, timeout=120).text().strip() == "['/workspace/leak.bin']"
    ws.finish()


@pytest.mark.parametrize("task_id", TASKS)
def test_missing_submission_is_invalid_with_a_clear_message(task_id, tmp_path, no_leftover_containers):
    from mlgym_nb.grading import grade

    task = load_task(task_id)
    workspace = Workspace.create(task, tmp_path / "ws").path
    for name in task.grader.submission:
        (workspace / name).unlink(missing_ok=True)
    score = grade(task, workspace, "dev", "docker")
    assert score.status == "invalid"
    assert f"no {task.grader.submission[0]} in the workspace" in score.message
    (workspace / task.grader.submission[0]).write_text("this is not what the grader wants (\n")
    broken = grade(task, workspace, "dev", "docker")
    assert broken.status == "invalid" and broken.message
