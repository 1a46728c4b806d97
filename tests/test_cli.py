import subprocess
import sys

import nbformat
import pytest


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "mlgym_nb.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_tasks_lists_the_shipped_tasks():
    proc = cli("tasks")
    assert proc.returncode == 0
    listed = [line.split()[0] for line in proc.stdout.splitlines()]
    assert listed == ["battle_of_sexes", "blotto", "house_price", "prisoners_dilemma", "sat3_heuristic",
                      "vectorization"]


def test_unknown_task_is_a_clean_error():
    proc = cli("run", "--task", "prisoner")
    assert proc.returncode == 1
    assert proc.stderr.strip() == "mlgym-nb: error: unknown task 'prisoner'; did you mean 'prisoners_dilemma'?"


@pytest.mark.docker
def test_tasks_check_reproduces_baseline_and_reference():
    proc = cli("tasks", "check", "prisoners_dilemma", "--sandbox", "docker")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "baseline dev: dev score = 2.34" in proc.stdout
    assert "reference submit (test):" in proc.stdout and "beats it" in proc.stdout
    assert proc.stdout.strip().endswith("prisoners_dilemma: ok")


@pytest.mark.docker
def test_run_replay_writes_an_episode(tmp_path):
    proc = cli("run", "--task", "prisoners_dilemma", "--agent", "replay", "--sandbox", "docker", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "[run] exit: submitted after 3 steps" in proc.stdout
    (path,) = tmp_path.glob("prisoners_dilemma-replay-s0-*.ipynb")
    nbformat.validate(nbformat.read(path, as_version=4))


@pytest.mark.docker
def test_run_defaults_to_the_embedded_model(tmp_path, local_model):
    proc = cli("run", "--task", "prisoners_dilemma", "--max-steps", "2", "--sandbox", "docker", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "[run] local model SmolLM2-135M-Instruct.Q4_1.gguf serving at http://127.0.0.1:" in proc.stdout
    assert "[run] tokens in/out:" in proc.stdout
    (path,) = tmp_path.glob("prisoners_dilemma-local-s0-*.ipynb")
    assert nbformat.read(path, as_version=4).metadata.mlgym["agent"]["config"]["model"] == "local"
