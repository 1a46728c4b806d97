"""Reruns: the mlgym papermill engine, `mlgym-nb rerun` and its divergence report."""

import subprocess
import sys

import nbformat
import pytest

import mlgym_nb
from mlgym_nb.rerun import normalise

NOISY = ("<object at 0x7f3a2b1c9d60> 2026-11-25T01:23:19.339+00:00 loss 0.30000000000000004\n"
         " 40%|████      | 4/10 [00:01<00:02, 2.50it/s]\n")


def test_normalise_hides_what_changes_between_identical_runs():
    assert normalise(NOISY) == "<object at 0x?> <time> loss 0.3\n\n"
    assert normalise("loss 0.3001") != normalise("loss 0.3002")


def record(path, cells):
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=path) as env:
        env.reset(seed=0)
        for cell in cells:
            env.step(cell)


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "mlgym_nb.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


@pytest.mark.docker
def test_rerun_reproduces_a_replayed_episode(tmp_path, no_leftover_containers):
    from mlgym_nb.tasks import load_task

    episode = tmp_path / "ep.ipynb"
    record(episode, load_task("prisoners_dilemma").reference_cells())
    proc = cli("rerun", str(episode), "--sandbox", "docker", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "**Reproduced**; all step outputs identical." in proc.stdout
    out = nbformat.read(tmp_path / "ep.rerun.ipynb", as_version=4)
    report = out.metadata.mlgym["rerun"]
    assert report["reproduced"] and report["scores"]["test"] == {"original": 2.5094, "rerun": 2.5094, "same": True}
    assert out.metadata.papermill["parameters"] == {}
    assert report["artefacts"] == {"strategy.py": "same"}  # restart-and-run-all makes the same submission
    validate = next(c for c in out.cells if c.get("id") == "step-0002")
    assert validate.metadata.mlgym["original"]["score"]["value"] == validate.metadata.mlgym["score"]["value"]
    assert validate.metadata.mlgym["original"]["outputs"][0]["text"] == validate.outputs[0].text
    assert (tmp_path / "ep.rerun.md").read_text().startswith("# Rerun of")

    other = tmp_path / "other.ipynb"
    record(other, ["%validate"])
    proc = cli("diff", str(episode), str(other), cwd=tmp_path)
    assert proc.returncode == 1 and "first divergence at `step-0001`" in proc.stdout
    assert "`strategy.py` different" in proc.stdout
    assert cli("diff", str(episode), str(tmp_path / "ep.rerun.ipynb"), cwd=tmp_path).returncode == 0


@pytest.mark.docker
def test_rerun_reports_the_first_diverging_cell(tmp_path, no_leftover_containers):
    episode = tmp_path / "nd.ipynb"
    record(episode, ["import random; print(random.random())", "import os; print(os.urandom(8).hex())", "1 / 0",
                     "%validate"])
    proc = cli("rerun", str(episode), "--sandbox", "docker", "--out", str(tmp_path / "again.ipynb"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr  # the scores reproduce, the outputs do not
    report = nbformat.read(tmp_path / "again.ipynb", as_version=4).metadata.mlgym["rerun"]
    assert report["first_divergence"] == "step-0002"
    assert [c["same"] for c in report["cells"]] == [True, False, True, True]


@pytest.mark.docker
def test_rerun_with_another_seed_does_not_reproduce_seeded_output(tmp_path, no_leftover_containers):
    episode = tmp_path / "s.ipynb"
    record(episode, ["import random; print(random.random())"])
    proc = cli("rerun", str(episode), "--sandbox", "docker", "--seed", "5", cwd=tmp_path)
    report = nbformat.read(tmp_path / "s.rerun.ipynb", as_version=4).metadata.mlgym["rerun"]
    assert report["first_divergence"] == "step-0001" and report["seed"] == 5
    assert proc.returncode == 1 and "**NOT reproduced**" in proc.stdout  # no score was recorded to reproduce


@pytest.mark.docker
def test_papermill_cli_finds_the_mlgym_engine(tmp_path, no_leftover_containers):
    episode = tmp_path / "p.ipynb"
    record(episode, ["print('hi')", "%validate"])
    proc = subprocess.run([sys.executable, "-m", "papermill", "--engine", "mlgym", str(episode),
                           str(tmp_path / "p-out.ipynb"), "--no-progress-bar"], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    cells = {c.get("id"): c for c in nbformat.read(tmp_path / "p-out.ipynb", as_version=4).cells}
    assert cells["step-0002"].outputs[0].text.startswith("dev score = 2.3409")
    assert cells["step-0001"].metadata.papermill["status"] == "completed"


@pytest.mark.docker
def test_resume_after_a_killed_driver_and_fork(tmp_path, no_leftover_containers):
    import textwrap

    episode = tmp_path / "k.ipynb"
    script = textwrap.dedent(f"""
        import mlgym_nb
        env = mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode={str(episode)!r})
        env.reset(seed=0)
        env.step("x = 41", thought="first")
        env.step("open('note.txt', 'w').write(str(x + 1))")
        print("ready", flush=True)
        import time; time.sleep(120)
    """)
    driver = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert driver.stdout.readline().strip() == "ready"
    driver.kill()  # SIGKILL: the notebook holds the two finished steps
    driver.wait()

    proc = cli("run", "--task", "prisoners_dilemma", "--agent", "replay", "--resume", str(episode), "--sandbox",
               "docker", "--out", str(tmp_path / "resumed"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[run] replaying 2 steps of" in proc.stdout and "[run] exit: submitted" in proc.stdout
    (resumed,) = (tmp_path / "resumed").glob("*.ipynb")
    nb = nbformat.read(resumed, as_version=4)
    steps = [c for c in nb.cells if c.cell_type == "code" and c.id.startswith("step-")]
    assert [c.source for c in steps[:2]] == ["x = 41", "open('note.txt', 'w').write(str(x + 1))"]
    assert steps[0].metadata.mlgym["agent"] == {"replayed": True} and nb.cells[3].source == "first"
    assert nb.metadata.mlgym["resumed_from"] == {"episode": str(episode), "steps": 2}
    assert (resumed.with_suffix(".workspace") / "note.txt").read_text() == "42"

    proc = cli("run", "--task", "prisoners_dilemma", "--agent", "replay", "--resume", str(episode), "--fork-at",
               "1", "--sandbox", "docker", "--out", str(tmp_path / "fork"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (forked,) = (tmp_path / "fork").glob("*.ipynb")
    assert nbformat.read(forked, as_version=4).metadata.mlgym["resumed_from"]["steps"] == 1
    assert not (forked.with_suffix(".workspace") / "note.txt").exists()
