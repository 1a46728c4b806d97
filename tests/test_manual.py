"""Trying a task by hand: `mlgym-nb task open` makes a notebook whose kernel's %validate / %submit are graded
like an agent's, by a watcher on the host that reads requests from the workspace without following links."""

import json
import os
import subprocess
import sys

import nbformat
import pytest

pytestmark = pytest.mark.docker


@pytest.fixture
def opened(tmp_path):
    env = {**os.environ, "JUPYTER_DATA_DIR": str(tmp_path / "jd"), "JUPYTER_PATH": str(tmp_path / "jd")}
    proc = subprocess.run([sys.executable, "-m", "mlgym_nb.cli", "task", "open", "prisoners_dilemma", "--dir",
                           str(tmp_path), "--sandbox", "docker", "--no-lab"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "[task] open it with: jupyter lab" in proc.stdout
    return tmp_path, env


def test_a_person_is_graded_like_an_agent(opened, no_leftover_containers):
    folder, env = opened
    notebook = nbformat.read(folder / "prisoners_dilemma.ipynb", as_version=4)
    assert notebook.cells[0].source.startswith("# Iterated Prisoner's Dilemma")
    assert [c.source for c in notebook.cells[-2:]] == ["%validate", "%submit"]
    proc = subprocess.run([sys.executable, "-m", "papermill", str(folder / "prisoners_dilemma.ipynb"),
                           str(folder / "out.ipynb"), "--no-progress-bar"], capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = nbformat.read(folder / "out.ipynb", as_version=4)
    assert out.cells[-2].outputs[0].text.startswith("dev score = 2.3422")
    assert out.cells[-1].outputs[0].text.startswith("test score = 2.4155")
    log = [json.loads(line) for line in (folder / "prisoners_dilemma.gradings.jsonl").read_text().splitlines()]
    assert [g["action"] for g in log] == ["validate", "submit"] and log[0]["test"]["value"] == 2.4155


def test_requests_are_read_and_answered_without_following_links(opened, tmp_path):
    from mlgym_nb.manual import GradingWatcher
    from mlgym_nb.tasks import load_task

    folder, _env = opened
    workspace = folder / "prisoners_dilemma.workspace"
    secret = tmp_path / "host-file.txt"
    secret.write_text("host data")
    (workspace / ".mlgym" / "request-a1.json").symlink_to(secret)  # a link in place of a request
    (workspace / ".mlgym" / "request-b2.json").write_text(json.dumps({"action": "validate"}))
    (workspace / ".mlgym" / "result-b2.txt").symlink_to(secret)  # a link where the answer will be written
    watcher = GradingWatcher(load_task("prisoners_dilemma"), workspace, tmp_path / "log.jsonl", "docker")
    folder_fd = os.open(workspace / ".mlgym", os.O_RDONLY)
    try:
        for name in ("request-a1.json", "request-b2.json"):
            watcher._answer(folder_fd, name)
    finally:
        os.close(folder_fd)
    assert secret.read_text() == "host data"  # neither read through the link nor overwritten through it
    assert (workspace / ".mlgym" / "request-a1.json").is_symlink()  # a link is not a request: left alone
    assert len((tmp_path / "log.jsonl").read_text().splitlines()) == 1  # the real request was graded
