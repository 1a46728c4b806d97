"""Graders of the graph tasks (ogbn_arxiv, clrs): garbage and hostile submissions are invalid with their
cause named; a known submission scores exactly what the test computes itself."""

import numpy as np
import pytest

from mlgym_nb.tasks import load_task
from mlgym_nb.workspace import prepared_data

pytestmark = pytest.mark.docker


@pytest.fixture
def arxiv(stand_in):
    """ogbn_arxiv prepared from its stand-in: (public, hidden) folders."""
    return prepared_data(stand_in("ogbn_arxiv"))


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


# -- clrs: its data is generated, no stand-in needed ---------------------------------------------------------

@pytest.fixture
def clrs(no_leftover_containers):
    """grade(arrays or raw bytes, split) -> the Score of a fresh workspace whose predictions.npz holds them."""
    import io

    from mlgym_nb.grading import grade
    from mlgym_nb.workspace import Workspace

    task = load_task("clrs")
    made = []

    def run(content, split="dev"):
        ws = Workspace.create(task)
        made.append(ws)
        if isinstance(content, dict):
            buffer = io.BytesIO()
            np.savez(buffer, **content)
            content = buffer.getvalue()
        (ws.path / "predictions.npz").write_bytes(content)
        return grade(task, ws.path, split, "docker")

    yield run
    for ws in made:
        ws.discard()


def clrs_truth():
    _public, hidden = prepared_data(load_task("clrs"))
    return {split: np.load(hidden / f"{split}_pi.npy") for split in ("dev", "test")}


def test_clrs_known_submission_scores_its_pointer_accuracy(clrs):
    truth = clrs_truth()
    n = truth["dev"].shape[-1]
    guess = {split: np.broadcast_to(np.arange(n)[None, :, None], pi.shape).astype(np.int64)  # pi[i, j] = i
             for split, pi in truth.items()}
    for split, pi in truth.items():
        reachable = pi >= 0
        want = round(float(np.mean(guess[split][reachable] == pi[reachable])), 5)
        score = clrs(guess, split)
        assert score.status == "scored" and score.value == want, score
    exact = clrs({split: pi for split, pi in truth.items()}, "test")
    assert exact.value == 1.0, exact


def hostile_submissions():
    truth = clrs_truth()
    good = {split: np.zeros(pi.shape, np.int16) for split, pi in truth.items()}
    shape = truth["dev"].shape
    return [
        (b"not a zip archive", "not an .npz archive"),
        ({"test": good["test"]}, "has no array 'dev'"),
        ({**good, "dev": good["dev"].astype(np.float32)}, "must hold integers"),
        ({**good, "dev": good["dev"][:, :16, :16]}, f"it must be {shape}"),
        ({**good, "dev": np.full(shape, 64, np.int16)}, "values outside -1 .. 63"),
        ({**good, "dev": np.full(shape, -2, np.int16)}, "values outside -1 .. 63"),
        ({**good, "dev": np.array([{"a": 1}] * 4, dtype=object)}, "cannot be read"),
        (inflating(), "unpacks to"),
    ]


def inflating():
    """A small .npz archive whose dev array unpacks to 80 MB."""
    import io

    buffer = io.BytesIO()
    np.savez_compressed(buffer, dev=np.zeros(80 * 2**20, np.int8))
    return buffer.getvalue()


@pytest.mark.parametrize("case", range(8), ids=["garbage", "no-dev", "float", "shape", "too-high", "too-low",
                                                  "pickle", "huge"])
def test_clrs_hostile_predictions_are_invalid_with_the_cause(clrs, case):
    content, message = hostile_submissions()[case]
    score = clrs(content)
    assert score.status == "invalid" and message in score.message, score


def test_clrs_missing_file_is_invalid(no_leftover_containers):
    from mlgym_nb.grading import grade
    from mlgym_nb.workspace import Workspace

    ws = Workspace.create(load_task("clrs"))
    try:
        score = grade(load_task("clrs"), ws.path, "dev", "docker")
        assert score.status == "invalid" and "no predictions.npz" in score.message, score
    finally:
        ws.discard()
