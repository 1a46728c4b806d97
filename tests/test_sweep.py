"""Sweeps: specs and the grid (fast), a real sweep in Docker interrupted and resumed, and its report."""

import json
import signal
import subprocess
import sys
import time

import nbformat
import pytest
from conftest import ctrl_c_default, our_containers

from mlgym_nb.analysis import load_episodes, summary_table
from mlgym_nb.errors import MlgymError
from mlgym_nb.sweep import EpisodeSpec, grid, parse_seeds, read_index

# A scripted agent that does a little work on either task: it writes both tasks' submission files (a
# reciprocating strategy, a most-frequent-literal heuristic), validates, and submits.
SCRIPT = [
    "Look around first.\n```python\nimport os\nprint(sorted(os.listdir('.')))\n```",
    "Write a reciprocating strategy and a frequency heuristic.\n```python\n"
    "open('strategy.py', 'w').write('def row_strategy(history):\\n    return history[-1][1] if history else 0\\n')\n"
    "open('heuristic.py', 'w').write('from collections import Counter\\n"
    "def heuristic_fn(clauses, assignment, rng):\\n"
    "    return Counter(l for c in clauses for l in c).most_common(1)[0][0]\\n')\n```",
    "Score it.\n%validate",
    "Submit.\n```python\n%submit\n```",
]


def test_specs_labels_keys_and_the_grid(tmp_path):
    specs = grid(["a", "b"], ["replay", "llm"], ["local", f"scripted:{tmp_path}/mine.json"], [0, 1])
    assert len(specs) == 2 * (1 + 2) * 2
    assert [s.label for s in specs[:6]] == ["replay", "replay", "llm-local", "llm-local", "llm-scripted-mine",
                                            "llm-scripted-mine"]
    assert specs[2].key == "a/llm-local/s0" and EpisodeSpec(task="t", agent="replay", seed=3).key == "t/replay/s3"
    assert parse_seeds("0-2") == [0, 1, 2] and parse_seeds("1,4") == [1, 4] and parse_seeds("3") == [0, 1, 2]
    with pytest.raises(MlgymError, match="--seeds 'x'"):
        parse_seeds("x")


def test_an_unknown_agent_or_task_fails_before_anything_starts(tmp_path):
    cli = [sys.executable, "-m", "mlgym_nb.cli", "bench", str(tmp_path / "out")]
    proc = subprocess.run(cli + ["--tasks", "prisoners_dilemma", "--agents", "human"], capture_output=True, text=True)
    assert proc.returncode == 1 and "--agents: unknown agent 'human'; use llm, mlab and/or replay" in proc.stderr
    proc = subprocess.run(cli + ["--tasks", "prisoner"], capture_output=True, text=True)
    assert proc.returncode == 1 and "did you mean 'prisoners_dilemma'" in proc.stderr
    assert not (tmp_path / "out").exists()


def _containers():

    return our_containers()


@pytest.mark.docker
@pytest.mark.serial  # Ctrl-C lands between episodes only at an unloaded pace
def test_a_sweep_interrupted_and_resumed_then_reported(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(json.dumps(SCRIPT))
    out = tmp_path / "sweep"
    command = [sys.executable, "-m", "mlgym_nb.cli", "bench", str(out), "--tasks", "prisoners_dilemma,sat3_heuristic",
               "--agents", "replay,llm", "--models", f"scripted:{script}", "--seeds", "0-1", "--parallel", "2",
               "--sandbox", "docker"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=ctrl_c_default)

    def started_not_done():
        done = {line["key"] for line in read_index(out)}
        return [p for p in out.rglob("s?.ipynb") if str(p.relative_to(out))[:-6] not in done]

    deadline = time.monotonic() + 300
    while (len(read_index(out)) < 2 or not started_not_done()) and time.monotonic() < deadline:
        time.sleep(0.2)
    first.send_signal(signal.SIGINT)  # two done, one at least under way: Ctrl-C
    _, err = first.communicate(timeout=120)
    assert first.returncode == 130 and "run the same command again to resume" in err
    done_before = {line["key"] for line in read_index(out)}
    assert 2 <= len(done_before) < 8 and our_containers() == []

    again = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{len(done_before)} already done" in again.stdout
    index = read_index(out)
    assert sorted(line["key"] for line in index) == sorted(
        f"{t}/{a}/s{s}" for t in ("prisoners_dilemma", "sat3_heuristic") for a in ("replay", "llm-scripted-script")
        for s in (0, 1))
    for line in index:
        assert line["exit"] == "submitted" and line["final"]["status"] == "scored" and line["image_id"]
        nb = nbformat.read(out / line["episode"], as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.mlgym["agent"]["label"] == line["key"].split("/")[1]
    resumed = [line for line in index if line["attempt"] > 1]  # an interrupted one was resumed from its notebook
    assert resumed and all(list(out.glob(line["key"] + ".attempt-1.*")) for line in resumed)
    scripted = [line for line in index if "scripted" in line["key"]]
    for line in scripted:  # the best is the validate step, chosen on dev (a resumed script starts over: a later one)
        steps = {c.metadata.mlgym["step"]: c.source for c in nbformat.read(out / line["episode"], as_version=4).cells
                 if "step" in c.metadata.get("mlgym", {})}
        assert steps[line["best"]["step"]].strip() == "%validate", (line["key"], steps)

    tables = load_episodes(out)
    assert len(tables.episodes) == 8 and tables.problems.empty
    summary = summary_table(tables, n_boot=100)
    assert set(summary.index) == {"replay", "llm-scripted-script", "baseline"}
    assert summary.loc["replay", "exits"] == "submitted 4"

    report = subprocess.run([sys.executable, "-m", "mlgym_nb.cli", "report", str(out)], capture_output=True,
                            text=True, timeout=300)
    assert report.returncode == 0, report.stderr
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64") >= 3 and "AUP best" in html and "llm-scripted-script" in html
