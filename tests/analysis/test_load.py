"""Episode tables from notebooks (synthetic, written by the real recorder), and the report's numbers (fast tier)."""

import math

import nbformat
import pytest

from mlgym_nb.analysis import load_episodes, run_scores, summary_table, with_improvement
from mlgym_nb.episode import EpisodeRecorder
from mlgym_nb.schema import Score, Step
from mlgym_nb.tasks import load_task

PD = load_task("prisoners_dilemma")


def episode(path, agent, seed, graded, exit="submitted", cost=None, stand_in=None):
    """graded: [(step, kind, dev, test)] on prisoners_dilemma; each graded step follows a cell step."""
    recorder = EpisodeRecorder(path, PD, seed=seed, agent={"name": "llm", "label": agent})
    number = 0
    for step, kind, dev, test in graded:
        while number < step - 1:
            number += 1
            recorder.record_step(Step(step=number, kind="cell", status="ok", started="t", duration=0.1,
                                      agent={"input_tokens": 100, "output_tokens": 10, "cost": cost}),
                                 "%%writefile strategy.py\nx", None, [], number)
        number += 1
        scores = {"dev": Score(split="dev", value=dev, stand_in=stand_in),
                  "test": Score(split="test", value=test, stand_in=stand_in)}
        if kind == "autosubmit":
            recorder.add_scores(number - 1, kind, scores)
        else:
            recorder.record_step(Step(step=number, kind=kind, status="scored", started="t", duration=1,
                                      scores=scores), f"%{kind}", None, [], None)
    recorder.meta.usage = {"input_tokens": 100 * number, "output_tokens": 10 * number, "cost": cost,
                           "wall_seconds": 5.0}
    if exit:
        recorder.finish(exit)
    else:
        recorder.save()


@pytest.fixture
def folder(tmp_path):
    episode(tmp_path / "a" / "s0.ipynb", "a", 0, [(2, "validate", 2.5, 2.6), (4, "submit", 2.4, 2.45)])
    episode(tmp_path / "a" / "s1.ipynb", "a", 1, [(2, "validate", 2.3, 2.7), (3, "submit", 2.35, 2.5)])
    episode(tmp_path / "b" / "s0.ipynb", "b", 0, [(3, "autosubmit", 2.0, 2.1)], exit="max_steps", cost=0.5)
    episode(tmp_path / "b" / "s1.ipynb", "b", 1, [(2, "validate", 2.2, 2.2)], exit=None)  # driver killed
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "foreign.ipynb")
    (tmp_path / "a" / "s0.attempt-1.ipynb").write_text("superseded, never read")
    episode(tmp_path / "a" / "s2.ipynb", "a", 2, [(2, "submit", 9.0, 9.0)], stand_in=True)  # not a real score
    return tmp_path


def test_tables_and_problems(folder):
    tables = load_episodes(folder)
    eps = tables.episodes.set_index("episode")
    assert sorted(eps.index) == ["a/s0.ipynb", "a/s1.ipynb", "b/s0.ipynb", "b/s1.ipynb"]
    # best attempt: chosen on dev (step 2 of a/s0, dev 2.5), reported on test, never chosen on test
    assert (eps.loc["a/s0.ipynb", "best_step"], eps.loc["a/s0.ipynb", "best_test"]) == (2, 2.6)
    assert (eps.loc["a/s1.ipynb", "best_step"], eps.loc["a/s1.ipynb", "best_test"]) == (3, 2.5)
    assert eps.loc["a/s0.ipynb", "final_test"] == 2.45 and eps.loc["b/s0.ipynb", "final_kind"] == "autosubmit"
    assert not eps.loc["b/s1.ipynb", "complete"] and eps.loc["b/s0.ipynb", "cost"] == 0.5
    problems = dict(zip(tables.problems["episode"], tables.problems["problem"], strict=True))
    assert problems["broken.ipynb"].startswith("not a readable notebook")
    assert problems["foreign.ipynb"] == "not an mlgym episode (no metadata.mlgym)"
    assert problems["b/s1.ipynb"] == "incomplete: its driver stopped before the end"
    assert problems["a/s2.ipynb"] == "graded on stand-in data: its scores are not real"
    assert len(tables.scores) == 6 and set(tables.steps["action"]) == {"edit", "validate", "submit"}


def test_the_reports_numbers(folder):
    tables = load_episodes(folder)
    scores = run_scores(tables, "best")
    assert sorted(scores[scores["solver"] == "a"]["score"]) == [2.5, 2.6]
    assert scores[scores["solver"] == "baseline"]["score"].tolist() == [PD.baseline["test"]]
    eps = with_improvement(tables).set_index("episode")
    assert eps.loc["a/s0.ipynb", "improvement"] == pytest.approx((2.45 - PD.baseline["test"]) / PD.baseline["test"])
    assert not eps.loc["a/s0.ipynb", "success"]  # +1.4 % is not > 10 %
    assert math.isnan(eps.loc["b/s1.ipynb", "improvement"])  # never submitted
    summary = summary_table(tables, n_boot=200)
    assert summary.loc["a", "episodes"] == 2 and summary.loc["b", "exits"] == "max_steps 1, incomplete 1"
    # one task: the best solver (a, best of seeds 2.6) has ratio 1, so AUP = tau_max exactly
    assert summary.loc["a", "AUP best"].startswith("1.500")
