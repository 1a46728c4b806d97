"""Graders of the Kaggle image tasks (identify_contrails, fathomnet) on their stand-in data: hostile or
malformed submissions are invalid with their cause named; known submissions score exactly what the metric,
computed here independently, says."""


import numpy as np
import pytest

from mlgym_nb.datasets import data_dir, write_stand_in
from mlgym_nb.tasks import load_task
from mlgym_nb.workspace import prepared_data

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def prepared(module_data):
    """prepared(task_id) -> (public, hidden) of the task's stand-in, in a data folder of this module's own."""
    done = {}

    def make(task_id):
        if task_id not in done:
            task = load_task(task_id)
            write_stand_in(task, data_dir(task))
            done[task_id] = prepared_data(task)
        return done[task_id]

    return make


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


# -- fathomnet -------------------------------------------------------------------------------------------------

def fathomnet_rows(hidden, split="dev"):
    import csv

    with open(hidden / f"{split}_labels.csv") as f:
        rows = list(csv.DictReader(f))
    return [(row["id"], [int(c) for c in row["categories"].split()], row["osd"] == "1") for row in rows]


def fathomnet_csv(rows):
    return "id,categories,osd\n" + "".join(f"{i},{cats},{osd}\n" for i, cats, osd in rows)


def test_fathomnet_known_submission_scores_the_competition_metric(prepared, submit):
    import json

    public, hidden = prepared("fathomnet")
    truth = fathomnet_rows(hidden)
    known = json.loads((hidden / "category_ids.json").read_text())
    rows, precisions = [], []
    for n, (ident, cats, _flag) in enumerate(truth):
        wrong = next(c for c in known if c not in cats)
        ranked = [wrong, cats[0], cats[0]] + cats[1:]  # a miss first, then the truth with a repeat
        hits = [k for k, c in enumerate(ranked) if c in cats and c not in ranked[:k]]
        precisions.append(sum((j + 1) / (k + 1) for j, k in enumerate(hits)) / len(cats))
        rows.append((ident, " ".join(map(str, ranked)), (n % 3) / 2))
    pos = [osd for (_i, _c, flag), (_j, _r, osd) in zip(truth, rows, strict=True) if flag]
    neg = [osd for (_i, _c, flag), (_j, _r, osd) in zip(truth, rows, strict=True) if not flag]
    auc = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg) / (len(pos) * len(neg))
    expected = ((2 * auc - 1) + sum(precisions) / len(precisions)) / 2
    test_ids = (public / "test.csv").read_text().split()[1:]
    rows += [(i, "", 0.5) for i in test_ids]
    score = submit("fathomnet", {"submission.csv": fathomnet_csv(rows)})
    assert score.status == "scored" and score.value == round(expected, 5), score


def test_fathomnet_perfect_submission_scores_one(prepared, submit):
    _, hidden = prepared("fathomnet")
    rows = [(i, " ".join(map(str, cats)), int(flag)) for i, cats, flag in fathomnet_rows(hidden)]
    assert submit("fathomnet", {"submission.csv": fathomnet_csv(rows)}).value == 1.0


@pytest.mark.parametrize("cats,osd,message", [
    ("1 abc", "0.5", "categories are space-separated category ids"),
    ("1.0 2", "0.5", "categories are space-separated category ids"),
    ("-3", "0.5", "categories are space-separated category ids"),
    ("99999", "0.5", "99999 is not a category id of category_key.csv"),
    ("1", "nan", "osd is a number from 0 to 1"),
    ("1", "1.5", "osd is a number from 0 to 1"),
    ("1", "", "osd is a number from 0 to 1"),
], ids=["letters", "float", "negative", "unknown", "nan", "above-one", "empty-osd"])
def test_fathomnet_malformed_rows_are_invalid(prepared, submit, cats, osd, message):
    _, hidden = prepared("fathomnet")
    truth = fathomnet_rows(hidden)
    rows = [(truth[0][0], cats, osd)] + [(i, "1", 0.5) for i, _c, _f in truth[1:]]
    score = submit("fathomnet", {"submission.csv": fathomnet_csv(rows)})
    assert score.status == "invalid" and message in score.message, score


def test_fathomnet_missing_images_and_columns_are_invalid(prepared, submit):
    _, hidden = prepared("fathomnet")
    truth = fathomnet_rows(hidden)
    score = submit("fathomnet", {"submission.csv": fathomnet_csv([(i, "1", 0.5) for i, _c, _f in truth[1:]])})
    assert score.status == "invalid" and "lacks predictions for 1 of the" in score.message
    score = submit("fathomnet", {"submission.csv": "id,categories\n" + "".join(f"{i},1\n" for i, _c, _f in truth)})
    assert score.status == "invalid" and "must have the columns id and osd" in score.message
