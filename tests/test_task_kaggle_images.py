"""Graders of the Kaggle image tasks (identify_contrails, fathomnet) on their stand-in data: hostile or
malformed submissions are invalid with their cause named; known submissions score exactly what the metric,
computed here independently, says."""

import os

import numpy as np
import pytest

from mlgym_nb.datasets import data_dir, write_stand_in
from mlgym_nb.tasks import load_task
from mlgym_nb.workspace import prepared_data

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """prepared(task_id) -> (public, hidden) of the task's stand-in, in a data folder of this module's own."""
    saved = os.environ.get("MLGYM_DATA")
    os.environ["MLGYM_DATA"] = str(tmp_path_factory.mktemp("data"))
    done = {}

    def make(task_id):
        if task_id not in done:
            task = load_task(task_id)
            write_stand_in(task, data_dir(task))
            done[task_id] = prepared_data(task)
        return done[task_id]

    yield make
    if saved is None:
        del os.environ["MLGYM_DATA"]
    else:
        os.environ["MLGYM_DATA"] = saved


# -- identify_contrails ----------------------------------------------------------------------------------------

def contrail_ids(public, split):
    return sorted(p.name for p in (public / split).iterdir())


def contrail_csv(rows):
    return "record_id,encoded_pixels\n" + "".join(f"{i},{text}\n" for i, text in rows)


def test_contrails_first_column_scores_the_global_dice(prepared, submit):
    public, hidden = prepared("identify_contrails")
    with np.load(hidden / "dev_masks.npz") as f:
        truth = {k: f[k] for k in f.files}
    height = next(iter(truth.values())).shape[0]
    # every record predicts its first column: pixels 1..H in column-major order
    rows = [(i, f"1 {height}") for split in ("dev", "test") for i in contrail_ids(public, split)]
    score = submit("identify_contrails", {"submission.csv": contrail_csv(rows)})
    hits = sum(int(m[:, 0].sum()) for m in truth.values())
    expected = 2 * hits / (len(truth) * height + sum(int(m.sum()) for m in truth.values()))
    assert score.status == "scored" and score.value == round(expected, 5), score


def test_contrails_the_truth_scores_one(prepared, submit):
    public, hidden = prepared("identify_contrails")
    with np.load(hidden / "dev_masks.npz") as f:
        masks = {k: f[k] for k in f.files}

    def rle(m):
        flat = np.concatenate([[0], m.flatten(order="F"), [0]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(flat)) + 1
        return " ".join(f"{s} {e - s}" for s, e in zip(edges[0::2], edges[1::2], strict=True)) or "-"

    rows = [(i, rle(m)) for i, m in masks.items()]
    assert submit("identify_contrails", {"submission.csv": contrail_csv(rows)}).value == 1.0


@pytest.mark.parametrize("text,message", [
    ("3 2 1 1", "pairs must be sorted by start and must not overlap"),
    ("1 3 2 2", "pairs must be sorted by start and must not overlap"),
    ("1 0", "starts and lengths must be at least 1"),
    ("0 5", "starts and lengths must be at least 1"),
    ("1 a", 'it must be "-" or pairs of positive whole numbers'),
    ("1", 'it must be "-" or pairs of positive whole numbers'),
    ("-1 2", 'it must be "-" or pairs of positive whole numbers'),
    ("99999999999999999999 1", 'it must be "-" or pairs of positive whole numbers'),
    ("1000000 1", "run past the image's"),
    ("", 'it must be "-" or pairs of positive whole numbers'),
], ids=["unsorted", "overlap", "zero-length", "zero-start", "letters", "odd", "negative", "huge", "past-end",
        "empty"])
def test_contrails_malformed_masks_are_invalid(prepared, submit, text, message):
    public, _ = prepared("identify_contrails")
    ids = contrail_ids(public, "dev")
    rows = [(ids[0], text)] + [(i, "-") for i in ids[1:]]
    score = submit("identify_contrails", {"submission.csv": contrail_csv(rows)})
    assert score.status == "invalid" and message in score.message, score


def test_contrails_missing_records_and_columns_are_invalid(prepared, submit):
    public, _ = prepared("identify_contrails")
    ids = contrail_ids(public, "dev")
    score = submit("identify_contrails", {"submission.csv": contrail_csv([(i, "-") for i in ids[1:]])})
    assert score.status == "invalid" and "lacks predictions for 1 of the" in score.message
    score = submit("identify_contrails", {"submission.csv": "id,mask\n1,-\n"})
    assert score.status == "invalid" and "must have the columns record_id and encoded_pixels" in score.message
