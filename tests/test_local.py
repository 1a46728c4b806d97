"""The local sandbox: the whole loop without Docker (a plain subprocess, loudly unisolated)."""

import nbformat
import pytest

import mlgym_nb
from mlgym_nb.kernel import KernelSession


def test_local_episode_end_to_end(tmp_path):
    path = tmp_path / "local.ipynb"
    with pytest.warns(RuntimeWarning, match="WITHOUT isolation"):
        import mlgym_nb.sandbox.local as local

        local._warned = False
        env = mlgym_nb.make("prisoners_dilemma", sandbox="local", episode=path)
        env.reset(seed=0)
    with env:
        obs, *_ = env.step("import os; print(os.path.basename(os.getcwd()))")
        assert obs.startswith("local.workspace")
        for cell in env.task.reference_cells():
            obs, reward, terminated, truncated, info = env.step(cell)
        assert terminated and info["score"] > env.task.baseline["test"]
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.mlgym["sandbox"]["kind"] == "local"
    assert nb.metadata.mlgym["exit_status"] == "submitted"


def test_local_timeout_and_death(task, workspace):
    with KernelSession(task, workspace, sandbox="local") as session:
        session.run("kept = 5")
        assert session.run("import time; time.sleep(30)", timeout=1).status == "timeout"
        assert session.run("print(kept)").text().strip() == "5"
        result = session.run("import os; os._exit(3)")
        assert result.status == "died" and "exited with code 3" in result.text()
        assert session.run("print('back')").text().strip() == "back"
