"""Graders of the graph tasks (ogbn_arxiv, clrs): garbage and hostile submissions are invalid with their
cause named; a known submission scores exactly what the test computes itself."""

import numpy as np
import pytest

from mlgym_nb.datasets import data_dir, write_stand_in
from mlgym_nb.tasks import load_task
from mlgym_nb.workspace import prepared_data

pytestmark = pytest.mark.docker


@pytest.fixture
def arxiv(tmp_path, monkeypatch):
    """ogbn_arxiv prepared from its stand-in: (public, hidden) folders."""
    monkeypatch.setenv("MLGYM_DATA", str(tmp_path / "data"))
    task = load_task("ogbn_arxiv")
    write_stand_in(task, data_dir(task))
    return prepared_data(task)


def test_arxiv_known_submission_scores_its_accuracy(arxiv, submit):
    public, hidden = arxiv
    nodes = np.concatenate([np.load(public / "dev_nodes.npy"), np.load(public / "test_nodes.npy")])
    labels = nodes % 40  # a fixed guess per node
    text = "node,label\n" + "".join(f"{n},{c}\n" for n, c in zip(nodes, labels, strict=True))
    for split in ("dev", "test"):
        truth = np.load(hidden / f"{split}_labels.npy")
        want = round(float(np.mean(np.load(hidden / f"{split}_nodes.npy") % 40 == truth)), 5)
        score = submit("ogbn_arxiv", {"submission.csv": text}, split)
        assert score.status == "scored" and score.value == want, score


@pytest.mark.parametrize("text,message", [
    ("node,label\n0,40\n", "labels are whole numbers 0-39"),
    ("node,label\n0,cs.AI\n", "not a class number"),
    ("node,label\n0,1.5\n", "labels are whole numbers 0-39"),
    ("node,label\n", "lacks predictions for"),
    ("id,class\n0,1\n", "must have the columns node and label"),
    ("\x00\x01binary", "must have the columns node and label"),
], ids=["range", "text", "fraction", "empty", "columns", "binary"])
def test_arxiv_garbage_is_invalid_with_the_cause(arxiv, submit, text, message):
    score = submit("ogbn_arxiv", {"submission.csv": text})
    assert score.status == "invalid" and message in score.message, score


def test_arxiv_missing_file_is_invalid(arxiv, submit):
    score = submit("ogbn_arxiv", {"notes.txt": "nothing"})
    assert score.status == "invalid" and "no submission.csv" in score.message, score
