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
    test = report["scores"]["test"]
    assert report["reproduced"] and test["same"] and test["original"] == test["other"] > 2.5
    assert [g["kind"] for g in out.metadata.mlgym["scores"]] == ["validate", "submit"]  # graded again, not copied
    assert out.metadata.papermill["parameters"] == {}
    assert report["artefacts"] == {"strategy.py": "same"}  # restart-and-run-all makes the same submission
    validate = next(c for c in out.cells if c.get("id") == "step-0002")
    original, again = validate.metadata.mlgym["original"]["scores"], validate.metadata.mlgym["scores"]
    assert original["dev"]["value"] == again["dev"]["value"]
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
    again = nbformat.read(tmp_path / "s.rerun.ipynb", as_version=4)
    report = again.metadata.mlgym["rerun"]
    assert report["first_divergence"] == "step-0001" and report["seed"] == 5
    assert "seed 5" in again.cells[0].source and again.metadata.mlgym["seed"] == 5  # the header is this run's
    assert proc.returncode == 1 and "**Not comparable**: the original and other notebook graded nothing" in proc.stdout


@pytest.mark.docker
def test_papermill_cli_finds_the_mlgym_engine(tmp_path, no_leftover_containers):
    episode = tmp_path / "p.ipynb"
    record(episode, ["print('hi')", "%validate"])
    proc = subprocess.run([sys.executable, "-m", "papermill", "--engine", "mlgym", str(episode),
                           str(tmp_path / "p-out.ipynb"), "--no-progress-bar"], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    cells = {c.get("id"): c for c in nbformat.read(tmp_path / "p-out.ipynb", as_version=4).cells}
    assert cells["step-0002"].outputs[0].text.startswith("dev score = 2.34")
    assert cells["step-0001"].metadata.papermill["status"] == "completed"


@pytest.mark.docker
def test_resume_after_a_killed_driver_and_fork(tmp_path, no_leftover_containers):
    import textwrap

    episode = tmp_path / "k.ipynb"
    script = textwrap.dedent(f"""
        import mlgym_nb
        env = mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode={str(episode)!r})
        env.reset(seed=0)
        env.step(mlgym_nb.Action("x = 41", thought="first"))
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
    assert steps[0].metadata.mlgym["agent"]["replayed"] is True and nb.cells[3].source == "first"
    assert nb.metadata.mlgym["resumed_from"] == {"episode": str(episode), "steps": 2}
    assert (resumed.with_suffix(".workspace") / "note.txt").read_text() == "42"

    proc = cli("run", "--task", "prisoners_dilemma", "--agent", "replay", "--resume", str(episode), "--fork-at",
               "1", "--sandbox", "docker", "--out", str(tmp_path / "fork"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (forked,) = (tmp_path / "fork").glob("*.ipynb")
    assert nbformat.read(forked, as_version=4).metadata.mlgym["resumed_from"]["steps"] == 1
    assert not (forked.with_suffix(".workspace") / "note.txt").exists()


def _episode(path, outputs, dev=2.4, test=2.5):
    from mlgym_nb.episode import EpisodeRecorder
    from mlgym_nb.schema import Score, Step
    from mlgym_nb.tasks import load_task

    recorder = EpisodeRecorder(path, load_task("prisoners_dilemma"), seed=0)
    for i, text in enumerate(outputs, 1):
        out = nbformat.v4.new_output("stream", name="stdout", text=text)
        recorder.record_step(Step(step=i, kind="cell", status="ok", started="t", duration=0.1), f"c{i}", None, [out], i)
    scores = {"dev": Score(split="dev", value=dev), "test": Score(split="test", value=test)}
    recorder.record_step(Step(step=len(outputs) + 1, kind="submit", status="scored", started="t", duration=1,
                              scores=scores), "%submit", None, [], None)
    recorder.finish("submitted")
    from mlgym_nb.episode import load_episode

    return load_episode(path)


def test_compare_matches_outputs_and_final_scores(tmp_path):
    from mlgym_nb.rerun import compare, summary
    from mlgym_nb.tasks import load_task

    task = load_task("prisoners_dilemma")
    a = _episode(tmp_path / "a.ipynb", ["at 0x7f00aa11bb22: 0.30000000000000004\n", "x\n"])
    same = _episode(tmp_path / "b.ipynb", ["at 0x55aa00ff0011: 0.3\n", "x\n"], test=2.51)  # within tolerance 0.02
    report = compare(a, same, task)
    assert report["reproduced"] and report["identical_outputs"]
    other = _episode(tmp_path / "c.ipynb", ["at 0x55aa00ff0011: 0.3\n", "y\n"], test=2.6)
    report = compare(a, other, task)
    assert not report["reproduced"] and report["first_divergence"] == "step-0002"
    assert report["scores"]["test"] == {"original": 2.5, "other": 2.6, "same": False}
    assert "**NOT reproduced**; first divergence at `step-0002`." in summary(report, "t")


def test_scores_copied_by_plain_papermill_are_not_trusted(tmp_path):
    from mlgym_nb.episode import load_episode
    from mlgym_nb.rerun import compare, summary
    from mlgym_nb.tasks import load_task

    a = _episode(tmp_path / "a.ipynb", ["x\n"])
    copy = nbformat.read(tmp_path / "a.ipynb", as_version=4)
    copy.metadata["papermill"] = {"parameters": {}}  # what `papermill a.ipynb b.ipynb` leaves: the metadata as it was
    nbformat.write(copy, tmp_path / "b.ipynb")
    report = compare(a, load_episode(tmp_path / "b.ipynb"), load_task("prisoners_dilemma"))
    assert not report["reproduced"] and report["graded"] == {"original": True, "other": False}
    assert report["scores"]["test"]["other"] == "not graded" and report["artefacts"] == {}
    assert summary(report, "t").splitlines()[2].startswith("**Not comparable**: the other notebook graded nothing")
