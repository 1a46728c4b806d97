"""The everyday CLI: honest exits, one-line errors that leave nothing behind, listings, custom task folders,
clean-up, and --help agreeing with the README. Most tests use the plain-process sandbox (no Docker)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mlgym_nb.cli import build_parser
from mlgym_nb.tasks import load_task

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, cwd=None, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "mlgym_nb.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env={**os.environ, **(env or {})})


def test_tasks_lists_the_shipped_tasks_and_version():
    proc = cli("tasks")
    assert proc.returncode == 0
    listed = [line.split()[0] for line in proc.stdout.splitlines()]
    assert listed == sorted(listed) and {"battle_of_sexes", "blotto", "fashion_mnist", "house_price",
                                         "lm_shakespeare", "prisoners_dilemma", "rl_breakout_minatar",
                                         "rl_meta_maze", "rl_mountain_car_continuous", "sat3_heuristic",
                                         "spaceship_titanic", "vectorization"} <= set(listed)
    assert "accuracy (maximize; baseline not measured)" in proc.stdout  # a task whose data is not here
    assert re.fullmatch(r"mlgym-nb \d+\.\d+\.\d+\n", cli("--version").stdout)


def test_a_reader_that_leaves_early_ends_the_listing_quietly():
    """`mlgym-nb data status | head -1`: the pipe closes before the listing is written."""
    proc = subprocess.Popen([sys.executable, "-m", "mlgym_nb.cli", "data", "status"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # the child holds only the write end, so every write now fails with EPIPE
    stderr = proc.stderr.read()
    assert proc.wait(timeout=120) == 141 and stderr == ""


def test_unknown_task_is_a_clean_error():
    proc = cli("run", "--task", "prisoner")
    assert proc.returncode == 1
    assert proc.stderr.strip() == "mlgym-nb: error: unknown task 'prisoner'; did you mean 'prisoners_dilemma'?"


@pytest.fixture
def tasks_dir(tmp_path):
    """A folder of tasks outside the project: a working copy of prisoners_dilemma and a broken one."""
    folder = tmp_path / "mytasks"
    shutil.copytree(load_task("prisoners_dilemma").root, folder / "my_game")
    yaml = folder / "my_game" / "task.yaml"
    yaml.write_text(yaml.read_text().replace("id: prisoners_dilemma", "id: my_game"))
    shutil.copytree(folder / "my_game", folder / "broken_one")
    (folder / "broken_one" / "task.yaml").write_text("id: broken_one\nname: [unclosed\n")
    shutil.copytree(folder / "my_game", folder / "misspelt")
    yaml = folder / "misspelt" / "task.yaml"
    yaml.write_text(yaml.read_text().replace("id: my_game", "id: misspelt").replace("max_steps:", "max_step:"))
    return folder


def test_every_broken_task_is_reported_and_every_good_one_listed(tasks_dir):
    proc = cli("--tasks-dir", str(tasks_dir), "tasks")
    assert proc.returncode == 1
    assert "my_game" in proc.stdout and "prisoners_dilemma" in proc.stdout
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 2 and all(line.startswith("mlgym-nb: broken task: ") for line in errors)
    assert "broken_one/task.yaml: not valid YAML" in errors[0]
    assert "field 'limits.max_step': Extra inputs are not permitted; did you mean 'max_steps'?" in errors[1]


def test_a_task_outside_the_project_runs_and_reruns_from_its_recorded_folder(tasks_dir, tmp_path):
    out = tmp_path / "eps"
    proc = cli("--tasks-dir", str(tasks_dir), "run", "--task", "my_game", "--agent", "replay", "--sandbox", "none",
               "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "sandbox none" in proc.stdout and "(submitted)" in proc.stdout
    (episode,) = out.glob("my_game-*.ipynb")
    assert nbformat.read(episode, as_version=4).metadata.mlgym["task_root"] == str(tasks_dir / "my_game")
    again = cli("rerun", str(episode), "--sandbox", "none")  # no --tasks-dir: the notebook says where the task is
    assert again.returncode == 0, again.stdout + again.stderr
    assert "**Reproduced**" in again.stdout
    twice = cli("rerun", str(episode), "--sandbox", "none")
    assert twice.returncode == 1 and "exists from an earlier rerun; add --force to replace it" in twice.stderr
    forced = cli("rerun", str(episode), "--sandbox", "none", "--force")
    assert forced.returncode == 0, forced.stderr


def test_an_unreachable_model_is_a_failure_that_says_so(tmp_path):
    proc = cli("run", "--task", "prisoners_dilemma", "--model", "gpt-4o", "--base-url", "http://127.0.0.1:9/v1",
               "--sandbox", "none", "--out", str(tmp_path), env={"OPENAI_API_KEY": "x"})
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "[run] exit: api_error after 0 steps" in proc.stdout
    assert "the agent could not go on: APIConnectionError from http://127.0.0.1:9/v1" in proc.stderr
    assert "(autosubmission after api_error: the untouched baseline as shipped)" in proc.stdout


def _episode(path):
    from mlgym_nb.episode import EpisodeRecorder

    recorder = EpisodeRecorder(path, load_task("prisoners_dilemma"), seed=0)
    recorder.finish("max_steps")
    return path


@pytest.mark.parametrize("content,message", [
    (None, "no such episode notebook"),
    ("", "not a readable notebook"),
    ('{"cells": [{"cell_type": "code"', "not a readable notebook"),
    (json.dumps(nbformat.v4.new_notebook()), "not an mlgym episode"),
])
def test_bad_notebooks_are_one_line_errors_that_leave_nothing(tmp_path, content, message):
    bad = tmp_path / "bad.ipynb"
    if content is not None:
        bad.write_text(content)
    good = _episode(tmp_path / "good.ipynb")
    for args in (["rerun", str(bad), "--sandbox", "none"], ["diff", str(bad), str(good)],
                 ["diff", str(good), str(bad)], ["show", str(bad)]):
        proc = cli(*args)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        assert proc.stderr.strip() == f"mlgym-nb: error: {bad}: {proc.stderr.split(f'{bad}: ', 1)[1].strip()}"
        assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["good.ipynb"] + (["bad.ipynb"] if content
                                                                                   is not None else []))


def test_diff_does_not_trust_scores_copied_by_plain_papermill(tmp_path):
    from mlgym_nb.episode import EpisodeRecorder
    from mlgym_nb.schema import Score, Step

    recorder = EpisodeRecorder(tmp_path / "a.ipynb", load_task("prisoners_dilemma"), seed=0)
    scores = {"dev": Score(split="dev", value=2.4), "test": Score(split="test", value=2.5)}
    recorder.record_step(Step(step=1, kind="submit", status="scored", started="t", duration=1, scores=scores),
                         "%submit", None, [], None)
    recorder.finish("submitted")
    copy = nbformat.read(tmp_path / "a.ipynb", as_version=4)
    copy.metadata["papermill"] = {"parameters": {"seed": 3}}  # plain papermill: outputs rerun, metadata copied
    nbformat.write(copy, tmp_path / "b.ipynb")
    proc = cli("diff", str(tmp_path / "a.ipynb"), str(tmp_path / "b.ipynb"))
    assert proc.returncode == 1 and "Reproduced" not in proc.stdout
    assert "**Not comparable**: the other notebook graded nothing itself" in proc.stdout
    assert "| test | 2.5 | not graded | NO |" in proc.stdout


def test_episodes_and_show(tmp_path):
    _episode(tmp_path / "eps" / "one.ipynb")
    (tmp_path / "eps" / "junk.ipynb").write_text("{")
    proc = cli("episodes", str(tmp_path / "eps"))
    assert proc.returncode == 0
    header, row = proc.stdout.splitlines()[:2]
    assert header.split()[:5] == ["task", "agent", "seed", "exit", "steps"]
    assert row.split()[:4] == ["prisoners_dilemma", "unknown", "0", "max_steps"] and row.split()[-1] == "one.ipynb"
    assert "[episodes] junk.ipynb: not a readable notebook" in proc.stdout
    shown = cli("show", str(tmp_path / "eps" / "one.ipynb")).stdout
    assert "task prisoners_dilemma" in shown and "ended: autosubmission (max_steps) after 0 steps" in shown


def test_clean_removes_what_dead_processes_left(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    folder = Path("/tmp") / f"mlg-test{os.getpid()}"
    folder.mkdir(exist_ok=True)
    (folder / "owner").write_text(f"{os.uname().nodename}:{dead.pid}")
    try:
        listed = cli("clean", "--dry-run")
        assert listed.returncode == 0 and str(folder) in listed.stdout and folder.exists()
        assert "would remove" in listed.stdout
        removed = cli("clean")
        assert str(folder) in removed.stdout and not folder.exists()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_help_and_readme_agree():
    readme = (ROOT / "README.md").read_text()
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert "COMMAND" in parser.format_help()  # every help string formats (a stray % breaks --help)
    for name, sub in commands.items():
        assert sub.format_help() and re.search(rf"mlgym-nb {name}\b", readme), f"README does not show `mlgym-nb {name}`"
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in readme, f"README does not mention `mlgym-nb {name} {option}`"
    for option in ("--tasks-dir", "--version", "MLGYM_TASKS_PATH", "MLGYM_CACHE", "MLGYM_MEMORY_DIR", "nbdiff"):
        assert option in readme
    for code in ("0 ", "1 ", "2 ", "3 ", "130"):
        assert code in parser.epilog


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
    assert "[run] exit: submitted after 3 steps" in proc.stdout and "\x1b[" not in proc.stdout  # no spinner off a tty
    (path,) = tmp_path.glob("prisoners_dilemma-replay-s0-*.ipynb")
    nbformat.validate(nbformat.read(path, as_version=4))


@pytest.mark.docker
def test_sigterm_cleans_up_like_ctrl_c(tasks_dir, tmp_path):
    import signal
    import socket
    import time

    from conftest import our_containers

    (tasks_dir / "my_game" / "reference" / "solution.py").write_text("# %%\nimport time\ntime.sleep(300)\n")
    run = subprocess.Popen([sys.executable, "-m", "mlgym_nb.cli", "--tasks-dir", str(tasks_dir), "run", "--task",
                            "my_game", "--agent", "replay", "--sandbox", "docker", "--out", str(tmp_path)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    owner = f"{socket.gethostname()}:{run.pid}"

    def its_containers():
        return [c for c in our_containers() if c.labels.get("mlgym.owner") == owner]

    deadline = time.monotonic() + 180
    while not (list(tmp_path.glob("*.ipynb")) and its_containers()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert its_containers(), "the episode's kernel container never started"
    time.sleep(5)  # into the sleeping cell
    run.send_signal(signal.SIGTERM)
    stdout, stderr = run.communicate(timeout=120)
    assert run.returncode == 143 and stderr.strip().endswith("mlgym-nb: terminated"), (stdout, stderr)
    assert its_containers() == []
    (episode,) = tmp_path.glob("*.ipynb")
    assert nbformat.read(episode, as_version=4).metadata.mlgym["exit"] == "interrupted"


@pytest.mark.docker
def test_a_run_whose_kernel_cannot_start_leaves_no_workspace(tasks_dir, tmp_path):
    yaml = tasks_dir / "my_game" / "task.yaml"
    yaml.write_text(yaml.read_text().replace("family: base", "family: nosuch"))
    proc = cli("--tasks-dir", str(tasks_dir), "run", "--task", "my_game", "--agent", "replay", "--sandbox", "docker",
               "--out", str(tmp_path / "eps"))
    assert proc.returncode == 1 and "kernel image mlgym-nb/kernel-nosuch:latest is not built" in proc.stderr
    assert not list((tmp_path / "eps").glob("*")) if (tmp_path / "eps").exists() else True


@pytest.mark.docker
def test_run_defaults_to_the_embedded_model(tmp_path, local_model):
    proc = cli("run", "--task", "prisoners_dilemma", "--max-steps", "2", "--sandbox", "docker", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "[run] local model SmolLM2-135M-Instruct.Q4_1.gguf serving at http://127.0.0.1:" in proc.stdout
    assert "[run] tokens in/out:" in proc.stdout
    (path,) = tmp_path.glob("prisoners_dilemma-local-s0-*.ipynb")
    assert nbformat.read(path, as_version=4).metadata.mlgym["agent"]["config"]["model"] == "local"
