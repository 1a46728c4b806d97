"""NotebookEnv end to end in Docker: gymnasium contract, episode notebook, grading, budgets, cleanup."""

import signal
import subprocess
import sys
import textwrap
import time

import docker
import nbformat
import pytest

import mlgym_nb
from mlgym_nb.errors import EpisodeError

pytestmark = pytest.mark.docker


def test_full_episode_writes_a_valid_notebook(tmp_path, no_leftover_containers):
    path = tmp_path / "episodes" / "pd-0.ipynb"
    env = mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=path, agent="test")
    obs, info = env.reset(seed=0)
    assert "row_strategy" in obs and info["step"] == 0
    obs, reward, terminated, truncated, info = env.step("import numpy as np\nprint(np.arange(3))",
                                                        thought="Look at numpy first.")
    assert obs.startswith("[0 1 2]") and (reward, terminated, truncated) == (0.0, False, False)
    cells = env.task.reference_cells()
    env.step(cells[0])
    obs, reward, terminated, truncated, info = env.step("%validate")
    assert info["kind"] == "validate" and info["score"] > env.task.baseline["dev"]
    assert obs.startswith(f"dev score = {info['score']:g} (baseline 2.341)")
    obs, reward, terminated, truncated, info = env.step("%submit")
    assert terminated and not truncated and reward > 0
    with pytest.raises(EpisodeError, match="call reset"):
        env.step("1")
    env.close()
    env.close()

    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert [c.id for c in nb.cells] == ["header", "parameters", "setup", "step-0001-thought", "step-0001",
                                        "step-0002", "step-0003", "step-0004"]
    assert nb.metadata.kernelspec.name == "mlgym-prisoners_dilemma"
    assert nb.cells[1].metadata.tags == ["parameters"]
    meta = nb.metadata.mlgym
    assert meta["exit_status"] == "submitted" and meta["status"] == "finished" and meta["steps"] == 4
    assert [s["kind"] for s in meta["scores"]] == ["validate", "submit"]
    assert meta["sandbox"]["image_id"].startswith("sha256:")
    step1 = nb.cells[4]
    assert step1.outputs[0].text == "[0 1 2]\n"
    assert step1.metadata.mlgym["status"] == "ok" and "cpu_s" in step1.metadata.mlgym["usage"]
    assert nb.cells[6].metadata.mlgym["score"]["split"] == "dev"
    assert (path.parent / "pd-0.workspace" / "strategy.py").read_text().startswith("def row_strategy")


def test_invalid_submission_and_step_budget(tmp_path, no_leftover_containers):
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=tmp_path / "e.ipynb", max_steps=2) as env:
        env.reset(seed=1)
        obs, reward, terminated, truncated, info = env.step("import os; os.remove('strategy.py')")
        assert not truncated
        obs, reward, terminated, truncated, info = env.step("%validate")
        assert info["grade"]["status"] == "invalid"
        assert "budget exhausted (max_steps)" in obs and "no strategy.py in the workspace" in obs
        assert truncated and not terminated and reward == -1.0
    meta = nbformat.read(tmp_path / "e.ipynb", as_version=4).metadata.mlgym
    assert meta["exit_status"] == "autosubmission (max_steps)"
    assert [s["kind"] for s in meta["scores"]] == ["validate", "autosubmit"]


def test_gymnasium_env_checker(tmp_path, no_leftover_containers):
    from gymnasium.utils.env_checker import check_env

    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=tmp_path / "c.ipynb") as env:
        check_env(env, skip_render_check=True)


def test_reset_twice_starts_a_new_episode(tmp_path, no_leftover_containers):
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=tmp_path / "r.ipynb") as env:
        env.reset(seed=0)
        env.step("a = 1")
        env.reset(seed=1)
        assert env.step("print(seed)")[0].startswith("1")
    first = nbformat.read(tmp_path / "r.ipynb", as_version=4).metadata.mlgym
    assert first["exit_status"] == "abandoned (reset)"
    assert (tmp_path / "r-1.ipynb").exists()


@pytest.mark.parametrize("how", ["exception", "sigint"])
def test_no_container_survives_a_crashed_driver(tmp_path, how):
    script = textwrap.dedent(f"""
        import mlgym_nb, sys
        env = mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode={str(tmp_path / 'k.ipynb')!r})
        env.reset(seed=0)
        env.step("x = 1")
        print("ready", flush=True)
        if {how!r} == "exception":
            raise RuntimeError("driver bug")
        env.step("import time; time.sleep(60)")
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    if how == "sigint":
        time.sleep(1)
        proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    client = docker.from_env()
    assert client.containers.list(all=True, filters={"label": "mlgym.sandbox"}) == []
    nb = nbformat.read(tmp_path / "k.ipynb", as_version=4)
    assert nb.metadata.mlgym["status"] == "interrupted"
    assert nb.cells[-1].id == "step-0001"  # the finished step is kept


def test_incremental_save_matches_nbformat(tmp_path, no_leftover_containers):
    path = tmp_path / "fmt.ipynb"
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=path) as env:
        env.reset(seed=0)
        env.step("print('a\\nb')\n1 + 1", thought="multi\nline thought ü")
        env.step("import matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.show()")
        env.step("%validate")
    text = path.read_text()
    nb = nbformat.read(path, as_version=4)
    assert text == nbformat.writes(nb) + "\n"
    assert "image/png" in nb.cells[-2].outputs[0]["data"]


def test_warm_pool_hands_over_a_ready_kernel(tmp_path, no_leftover_containers):
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=tmp_path / "w.ipynb", warm=1) as env:
        env.reset(seed=0)
        env.step("open('first.txt', 'w').write('1')")
        deadline = time.monotonic() + 60
        while env.pool._ready.qsize() < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        obs, info = env.reset(seed=5)
        assert info["workspace"] == str(tmp_path / "w-1.workspace")
        obs, *_ = env.step("import os; print(sorted(os.listdir('.')), seed, os.getuid())")
        assert obs.startswith("['strategy.py'] 5 1000")
        # the kernel's workspace was moved next to its notebook; a restart mounts it there
        env.step("import os; os._exit(1)")
        assert env.step("open('after.txt', 'w').write('x')")[-1]["status"] == "ok"
        assert (tmp_path / "w-1.workspace" / "after.txt").exists()
    assert not any((tmp_path / ".mlgym-pool").iterdir())  # idle workspaces are removed with the pool


def test_containers_of_a_killed_driver_are_reaped(tmp_path):
    script = textwrap.dedent(f"""
        import mlgym_nb
        env = mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode={str(tmp_path / 'o.ipynb')!r})
        env.reset(seed=0)
        print("ready", flush=True)
        import time; time.sleep(120)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    proc.kill()  # SIGKILL: no atexit, no finally
    proc.wait()
    client = docker.from_env()
    orphans = client.containers.list(all=True, filters={"label": "mlgym.owner"})
    assert len(orphans) == 1
    from mlgym_nb.sandbox.docker import reap_orphans

    assert reap_orphans(client) == [orphans[0].name]
    assert client.containers.list(all=True, filters={"label": "mlgym.owner"}) == []
