"""NotebookEnv end to end in Docker: gymnasium contract, episode notebook, grading, budgets, cleanup."""

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import docker
import nbformat
import pytest
from conftest import ctrl_c_default, our_containers

import mlgym_nb
from mlgym_nb.episode import load_episode
from mlgym_nb.errors import EpisodeError

pytestmark = pytest.mark.docker


def test_full_episode_writes_a_valid_notebook(tmp_path, no_leftover_containers):
    path = tmp_path / "episodes" / "pd-0.ipynb"
    env = mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=path, agent="test")
    obs, info = env.reset(seed=0)
    assert "row_strategy" in obs and info["step"] == 0
    obs, reward, terminated, truncated, info = env.step(
        mlgym_nb.Action("import numpy as np\nprint(np.arange(3))", thought="Look at numpy first."))
    assert obs.startswith("[0 1 2]") and (reward, terminated, truncated) == (0.0, False, False)
    cells = env.task.reference_cells()
    env.step(cells[0])
    obs, reward, terminated, truncated, info = env.step("%validate")
    assert info["kind"] == "validate" and info["score"] > env.task.baseline["dev"]
    info_validate = info["score"]
    assert obs.startswith(f"dev score = {info['score']:g} (baseline {env.task.baseline['dev']:g})")
    obs, reward, terminated, truncated, info = env.step(mlgym_nb.Action("%submit", thought="Done."))
    assert terminated and not truncated and reward > 0
    with pytest.raises(EpisodeError, match="call reset"):
        env.step("1")
    env.close()
    env.close()

    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert [c.id for c in nb.cells] == ["header", "parameters", "setup", "step-0001-thought", "step-0001",
                                        "step-0002", "step-0003", "step-0004-thought", "step-0004"]
    assert nb.metadata.kernelspec.name == "mlgym-prisoners_dilemma"
    assert nb.cells[1].metadata.tags == ["parameters"]
    meta = load_episode(path).meta
    assert meta.exit == "submitted" and meta.steps == 4 and meta.finished
    assert [g.kind for g in meta.scores] == ["validate", "submit"]
    validate, submit = meta.scores
    assert validate.dev.value == info_validate and validate.test.status == "scored"  # test kept, not shown
    assert submit.test.value == info["score"] and submit.dev.value > env.task.baseline["dev"]
    assert submit.test.submission == {"strategy.py": submit.dev.submission["strategy.py"]}
    assert submit.test.isolated is True
    assert meta.sandbox["image_id"].startswith("sha256:")
    step1 = nb.cells[4]
    assert step1.outputs[0].text == "[0 1 2]\n"
    assert step1.metadata.mlgym["status"] == "ok" and "cpu_s" in step1.metadata.mlgym["usage"]
    assert set(nb.cells[6].metadata.mlgym["scores"]) == {"dev", "test"}
    workspace = path.parent / "pd-0.workspace"
    assert not workspace.is_symlink() and (workspace / "strategy.py").read_text().startswith("def row_strategy")


def test_invalid_submission_and_step_budget(tmp_path, no_leftover_containers):
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=tmp_path / "e.ipynb", max_steps=2) as env:
        env.reset(seed=1)
        obs, reward, terminated, truncated, info = env.step("import os; os.remove('strategy.py')")
        assert not truncated
        obs, reward, terminated, truncated, info = env.step("%validate")
        assert info["grade"].status == "invalid"
        assert "budget exhausted (max_steps)" in obs and "no strategy.py in the workspace" in obs
        assert truncated and not terminated and reward == -1.0
    meta = load_episode(tmp_path / "e.ipynb").meta
    assert meta.exit == "max_steps" and meta.exit_status == "autosubmission (max_steps)"
    assert [g.kind for g in meta.scores] == ["validate", "autosubmit"]


def test_gymnasium_contract(tmp_path, no_leftover_containers):
    import gymnasium
    from gymnasium.utils.env_checker import check_env
    from gymnasium.wrappers import RecordEpisodeStatistics, TimeLimit

    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=tmp_path / "c.ipynb") as env:
        check_env(env, skip_render_check=True)
    env = gymnasium.make("mlgym/prisoners_dilemma", sandbox="docker", episode=tmp_path / "g.ipynb",
                         max_episode_steps=2)
    assert isinstance(env, TimeLimit)  # gymnasium adds its wrappers; ours sees Actions through them
    env = RecordEpisodeStatistics(env)
    try:
        obs, info = env.reset(seed=4)
        assert info["seed"] == 4
        env.step(mlgym_nb.Action("x = 1", thought="through the wrappers"))
        obs, reward, terminated, truncated, info = env.step("%validate")
        assert truncated and "episode" in info  # TimeLimit truncated, RecordEpisodeStatistics reports it
    finally:
        env.close()
    nb = nbformat.read(tmp_path / "g.ipynb", as_version=4)
    assert nb.cells[3].source == "through the wrappers" and nb.metadata.mlgym["exit"] == "interrupted"


def test_reset_without_seed_records_the_seed_it_used(tmp_path, no_leftover_containers):
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=tmp_path / "n.ipynb") as env:
        obs, info = env.reset()
        obs, *_ = env.step("print(seed)")
    assert obs.startswith(str(info["seed"])) and load_episode(tmp_path / "n.ipynb").meta.seed == info["seed"]


def test_reset_twice_starts_a_new_episode(tmp_path, no_leftover_containers):
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=tmp_path / "r.ipynb") as env:
        env.reset(seed=0)
        env.step("a = 1")
        env.reset(seed=1)
        assert env.step("print(seed)")[0].startswith("1")
    first = load_episode(tmp_path / "r.ipynb").meta
    assert first.exit == "interrupted"
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
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ctrl_c_default)
    assert proc.stdout.readline().strip() == "ready"
    if how == "sigint":
        time.sleep(1)
        proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    assert our_containers() == []
    nb = nbformat.read(tmp_path / "k.ipynb", as_version=4)
    assert nb.metadata.mlgym["exit"] == "interrupted"
    assert nb.cells[-1].id == "step-0001"  # the finished step is kept
    assert (tmp_path / "k.workspace" / "strategy.py").is_file()  # archived next to the notebook


def test_incremental_save_matches_nbformat(tmp_path, no_leftover_containers):
    path = tmp_path / "fmt.ipynb"
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=path) as env:
        env.reset(seed=0)
        env.step(mlgym_nb.Action("print('a\\nb')\n1 + 1", thought="multi\nline thought ü"))
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
        pooled = [str(ws.path) for _, ws in list(env.pool._ready.queue)]
        obs, info = env.reset(seed=5)
        assert info["workspace"] == str(tmp_path / "w-1.workspace")
        obs, *_ = env.step("import os; print(sorted(os.listdir('.')), seed, os.getuid())")
        assert obs.startswith("['strategy.py'] 5 1000")
        # the kernel's workspace was moved next to its notebook; a restart mounts it there
        env.step("import os; os._exit(1)")
        assert env.step("open('after.txt', 'w').write('x')")[-1]["status"] == "ok"
        assert (tmp_path / "w-1.workspace" / "after.txt").exists()
    assert not any(Path(p).exists() for p in pooled)  # idle workspaces are removed with the pool


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
    orphans = our_containers()
    assert len(orphans) == 1
    from mlgym_nb.sandbox.docker import reap_orphans

    assert reap_orphans(client) == [orphans[0].name]
    assert our_containers() == []
