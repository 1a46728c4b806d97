"""The local sandbox: the whole loop without Docker, under bubblewrap or as a plain (loudly unisolated) process."""

import os

import nbformat
import pytest

import mlgym_nb
import mlgym_nb.sandbox.local as local
from mlgym_nb.kernel import KernelSession


@pytest.fixture(params=["bubblewrap", "none"])
def isolation(request, monkeypatch):
    if request.param == "bubblewrap" and not local.bubblewrap_usable("base"):
        if os.environ.get("MLGYM_REQUIRE_DOCKER") == "1":  # CI installs bubblewrap and builds the venv
            pytest.fail("bubblewrap or the local venv is missing: run `mlgym-nb images build`")
        pytest.skip("bubblewrap or the local venv (`mlgym-nb images build`) is missing")
    monkeypatch.setattr(local, "_warned", set())
    return request.param


def test_local_episode_end_to_end(tmp_path, isolation):
    path = tmp_path / "local.ipynb"
    expected = "WITHOUT isolation" if isolation == "none" else "uses bubblewrap: no network"
    with pytest.warns(RuntimeWarning, match=expected):
        env = mlgym_nb.make("prisoners_dilemma", sandbox=isolation, episode=path)
        env.reset(seed=0)
    with env:
        obs, *_ = env.step("import os; print(os.getcwd())")
        assert obs.startswith("/workspace" if isolation == "bubblewrap" else str(env.workspace.path))
        for cell in env.task.reference_cells():
            obs, reward, terminated, truncated, info = env.step(cell)
        assert terminated and info["score"] > env.task.baseline["test"]
        assert info["grade"].isolated is (isolation == "bubblewrap" and os.geteuid() == 0)
    meta = nbformat.read(path, as_version=4).metadata.mlgym
    assert meta["sandbox"]["kind"] == isolation and meta["exit"] == "submitted"


def test_local_timeout_and_death(task, workspace, isolation):
    with KernelSession(task, workspace, sandbox=isolation) as session:
        session.run("kept = 5")
        assert session.run("import time; time.sleep(30)", timeout=1).status == "timeout"
        assert session.run("print(kept)").text().strip() == "5"
        result = session.run("import os; os._exit(3)")
        assert result.status == "died" and "exited with code 3" in result.text()
        assert session.run("print('back')").text().strip() == "back"


def test_openmp_threads_wait_passively(task, workspace, isolation, monkeypatch):
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # the host's own setting does not leak in
    with pytest.warns(RuntimeWarning), KernelSession(task, workspace, sandbox=isolation) as session:
        assert session.run("import os; print(os.environ['OMP_WAIT_POLICY'])").text().strip() == "PASSIVE"


def test_bubblewrap_isolation_probes(task, workspace, monkeypatch):
    if not local.bubblewrap_usable("base"):
        pytest.skip("bubblewrap or the local venv is missing")
    code = ("import os, socket\nprint(os.getuid(), sorted(os.listdir('/data')))\n"
            "try:\n    open('/data/x', 'w')\nexcept OSError as e:\n    print(e.strerror)\n"
            "try:\n    socket.create_connection(('1.1.1.1', 80), timeout=2)\n"
            "except OSError as e:\n    print('blocked')\n"
            "caps = open('/proc/self/status').read().count('CapEff:\\t0000000000000000')\n"
            "print(os.path.exists('/root'), os.path.exists('/secret'), caps)")
    with pytest.warns(RuntimeWarning), KernelSession(task, workspace, sandbox="bubblewrap") as session:
        lines = session.run(code).text().strip().splitlines()
    assert lines == ["1000 ['rules.md']", "Read-only file system", "blocked", "False False 1"]
