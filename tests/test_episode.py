"""The episode notebook's one writer and one reader, without a kernel (fast tier)."""

import json

import nbformat
import pytest

from mlgym_nb.episode import EpisodeRecorder, load_episode
from mlgym_nb.errors import EpisodeError
from mlgym_nb.schema import Score, Step
from mlgym_nb.tasks import load_task

TASK = load_task("prisoners_dilemma")


def scores(dev, test):
    return {"dev": Score(split="dev", value=dev), "test": Score(split="test", value=test)}


def record(path):
    recorder = EpisodeRecorder(path, TASK, seed=7, agent={"name": "test"})
    out = nbformat.v4.new_output("stream", name="stdout", text="hello ü\n")
    recorder.record_step(Step(step=1, kind="cell", status="ok", started="t", duration=0.1), "print('hello ü')",
                         "First, look.", [out], 1)
    recorder.record_step(Step(step=2, kind="cell", status="error", started="t", duration=0.1), "1/0", None, [], 2)
    recorder.record_step(Step(step=3, kind="validate", status="scored", started="t", duration=1.0,
                              scores=scores(2.4, 2.5)), "%validate", None, [], None)
    return recorder


def test_the_recorder_writes_what_nbformat_writes_and_the_reader_reads_it(tmp_path):
    path = tmp_path / "e.ipynb"
    recorder = record(path)
    recorder.finish("max_steps", "step budget")
    text = path.read_text()
    nb = nbformat.read(path, as_version=4)
    assert text == nbformat.writes(nb) + "\n"  # byte-identical, though each cell was serialised once
    nbformat.validate(nb)
    assert nb.cells[1].metadata.tags == ["parameters"] and nb.cells[1].source == "task = 'prisoners_dilemma'\nseed = 7"
    assert [c.metadata.get("tags") for c in nb.cells[4:]] == [None, ["raises-exception"], ["mlgym-validate"]]
    episode = load_episode(path)
    assert episode.meta.exit == "max_steps" and episode.meta.exit_message == "step budget" and episode.meta.steps == 3
    assert [s.step for _, s in episode.steps] == [1, 2, 3] and episode.thought(episode.steps[0][0]) == "First, look."
    assert episode.meta.scores[0].dev.value == 2.4 and episode.meta.scores[0].kind == "validate"
    assert "**Ended:** autosubmission (max_steps) after 3 steps." in nb.cells[0].source
    assert "| 3 | validate | 2.4 | 2.5 |" in nb.cells[0].source


def test_each_save_is_complete(tmp_path):
    path = tmp_path / "e.ipynb"
    record(path)  # not finished: the driver died here
    episode = load_episode(path)
    assert episode.meta.exit is None and episode.meta.exit_status == "running or incomplete"
    assert len(episode.steps) == 3 and not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("content,message", [
    (None, "no such episode notebook"),
    ("", "not a readable notebook"),
    ('{"cells": [', "not a readable notebook"),
    ("[1, 2]", "not a"),
    (json.dumps(nbformat.v4.new_notebook()), "not an mlgym episode (no metadata.mlgym)"),
    (json.dumps({**nbformat.v4.new_notebook(), "metadata": {"mlgym": {"task": 5}}}), "does not fit the episode schema"),
])
def test_bad_notebooks_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "bad.ipynb"
    if content is not None:
        path.write_text(content)
    with pytest.raises(EpisodeError) as err:
        load_episode(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value) and "\n" not in str(err.value)
