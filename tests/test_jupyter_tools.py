"""The kernelspec mlgym-<task> runs in the task container under papermill, nbconvert and nbclient."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mlgym_nb.kernelspec import install_kernelspecs

pytestmark = pytest.mark.docker

PROBE = "import os\nprint(os.getuid(), sorted(os.listdir('/data')), os.getcwd(), seed)"


@pytest.fixture
def jupyter_env(tmp_path):
    data = tmp_path / "jupyter"
    env = {**os.environ, "JUPYTER_DATA_DIR": str(data), "JUPYTER_PATH": str(data)}
    old = os.environ.copy()
    os.environ.update(env)
    install_kernelspecs(["prisoners_dilemma"], sandbox="docker")
    os.environ.clear()
    os.environ.update(old)
    assert (data / "kernels" / "mlgym-prisoners_dilemma" / "kernel.json").exists()
    return env


@pytest.fixture
def probe_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "mlgym-prisoners_dilemma", "display_name": "pd", "language": "python"}
    params = nbformat.v4.new_code_cell("seed = 0")
    params.metadata.tags = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(PROBE)]
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    return path


def _last_stdout(path):
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for o in nb.cells[-1].outputs).strip()


def test_kernelspec_file(jupyter_env, tmp_path):
    spec = json.loads((tmp_path / "jupyter" / "kernels" / "mlgym-prisoners_dilemma" / "kernel.json").read_text())
    assert spec["metadata"]["kernel_provisioner"]["provisioner_name"] == "mlgym-provisioner"
    assert spec["interrupt_mode"] == "message"


def test_papermill_runs_in_the_container(jupyter_env, probe_notebook, tmp_path, no_leftover_containers):
    out = tmp_path / "out.ipynb"
    proc = subprocess.run([sys.executable, "-m", "papermill", str(probe_notebook), str(out), "-p", "seed", "7",
                           "--no-progress-bar"], env=jupyter_env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert _last_stdout(out) == "1000 ['rules.md'] /workspace 7"


def test_nbconvert_execute_runs_in_the_container(jupyter_env, probe_notebook, tmp_path, no_leftover_containers):
    proc = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                           "--output", "converted.ipynb", str(probe_notebook)], env=jupyter_env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert _last_stdout(tmp_path / "converted.ipynb") == "1000 ['rules.md'] /workspace 0"


def test_plain_papermill_reruns_a_recorded_episode(jupyter_env, tmp_path, no_leftover_containers):
    import mlgym_nb

    episode = tmp_path / "ep.ipynb"
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=episode) as env:
        env.reset(seed=0)
        env.step("1 / 0")
        env.step("print('after the error', seed)")
        env.step("%validate")
    out = tmp_path / "rerun.ipynb"
    proc = subprocess.run([sys.executable, "-m", "papermill", str(episode), str(out), "-p", "seed", "3",
                           "--no-progress-bar"], env=jupyter_env, capture_output=True, text=True, timeout=180)
    # papermill reports the recorded error at the end, but runs every cell: the failing one is tagged
    assert proc.returncode == 1 and "ZeroDivisionError" in proc.stderr
    cells = {c.get("id"): c for c in nbformat.read(out, as_version=4).cells}
    assert cells["step-0001"].metadata.tags == ["raises-exception"]
    assert cells["step-0002"].outputs[0].text == "after the error 3\n"
    assert cells["step-0003"].outputs[0].text.startswith("[mlgym] %validate is an action of the mlgym harness")


def test_nbconvert_html_of_an_episode_shows_the_outcome_first(tmp_path, no_leftover_containers):
    import mlgym_nb
    from mlgym_nb.tasks import load_task

    episode = tmp_path / "ep.ipynb"
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=episode, agent="replay") as env:
        env.reset(seed=0)
        cell = load_task("prisoners_dilemma").reference_cells()[0]
        env.step(mlgym_nb.Action(cell, thought="Reciprocate, forgive once."))
        env.step("%submit")
    header = nbformat.read(episode, as_version=4).cells[0].source
    assert "**Ended:** submitted after 2 steps." in header and "| 2 | submit | 2.4012 | 2.5106 |" in header
    proc = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(episode)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    html = episode.with_suffix(".html").read_text()
    assert html.index("Ended:") < html.index("Reciprocate, forgive once.") < html.index(">row_strategy<")


@pytest.mark.serial  # counts every live workspace and connection folder on the machine
def test_jupyter_console_runs_in_the_container_and_leaves_nothing(jupyter_env, tmp_path):
    from conftest import our_containers

    from mlgym_nb.paths import cache_dir

    def leftovers():
        return set(Path("/tmp").glob("mlg-*")) | set((cache_dir() / "live").glob("*"))

    before = leftovers()
    proc = subprocess.run([sys.executable, "-m", "jupyter", "console", "--kernel", "mlgym-prisoners_dilemma",
                           "--simple-prompt"], input="import os; print(os.getuid(), os.getcwd())\nexit\n",
                          env=jupyter_env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert "1000 /workspace" in proc.stdout
    assert our_containers() == [] and leftovers() - before == set()
