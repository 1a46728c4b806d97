"""The text classification tasks (imdb, mnli): prepare.py on stand-in data (layout, hidden labels, the
copied encoder, one-line errors on bad files) and their graders (exact accuracy of known submissions;
garbage is invalid with its cause)."""

import csv
import subprocess
import sys

import pandas as pd
import pytest

from mlgym_nb.datasets import write_stand_in
from mlgym_nb.tasks import load_task

TEXT = {"imdb": ["text"], "mnli": ["premise", "hypothesis"]}


def prepare(task, raw, out):
    (out / "public").mkdir(parents=True)
    (out / "hidden").mkdir()
    return subprocess.run([sys.executable, str(task.root / task.prepare), str(out), str(raw)], capture_output=True,
                          text=True, env={"PYTHONPATH": str(task.common_dir), "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("task_id", list(TEXT))
def test_prepare_splits_the_labelled_rows_and_copies_the_encoder(task_id, tmp_path):
    task = load_task(task_id)
    raw = write_stand_in(task, tmp_path / "raw")
    proc = prepare(task, raw, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    public, hidden = tmp_path / "out" / "public", tmp_path / "out" / "hidden"
    assert list(pd.read_csv(public / "train.csv").columns) == TEXT[task_id] + ["label"]
    dev, test = pd.read_csv(public / "dev.csv"), pd.read_csv(public / "test.csv")
    assert list(dev.columns) == list(test.columns) == ["idx"] + TEXT[task_id]  # no labels in public
    assert dev["idx"].tolist() == list(range(len(dev))) and len(dev) == len(test) > 0
    assert test["idx"].tolist() == list(range(len(dev), 2 * len(dev)))
    for split, rows in (("dev", dev), ("test", test)):
        labels = pd.read_csv(hidden / f"{split}_labels.csv")
        assert labels["idx"].tolist() == rows["idx"].tolist() and set(labels["label"]) <= {0, 1, 2}
    for name in ("config.json", "model.safetensors", "tokenizer.json", "vocab.txt"):
        assert (public / "minilm" / name).stat().st_size > 0
    # The evaluation rows are the real evaluation split's, with their labels kept alongside.
    source = next(raw.rglob("test-*.parquet" if task_id == "imdb" else "validation_matched-*.parquet"))
    truth = {tuple(r[c] for c in TEXT[task_id]): r["label"] for _, r in pd.read_parquet(source).iterrows()}
    labels = pd.read_csv(hidden / "dev_labels.csv")["label"].tolist()
    assert [truth[tuple(r[c] for c in TEXT[task_id])] for _, r in dev.iterrows()] == labels


@pytest.mark.parametrize("task_id", list(TEXT))
def test_prepare_refuses_bad_files_in_one_line(task_id, tmp_path):
    task = load_task(task_id)
    raw = write_stand_in(task, tmp_path / "raw")
    first = task.data.files[0]
    (raw / first).write_bytes(b"not parquet at all")
    proc = prepare(task, raw, tmp_path / "out")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    line, = proc.stderr.strip().splitlines()
    assert line.startswith(f"{raw / first} is not a readable parquet file: ")
    pd.DataFrame({"sentence": ["a"], "label": [7]}).to_parquet(raw / first)
    proc = prepare(task, raw, tmp_path / "out2")
    assert proc.returncode == 1 and "does not have" in proc.stderr and "Traceback" not in proc.stderr


def truth_and_ids(task):
    from mlgym_nb.workspace import prepared_data

    public, hidden = prepared_data(task)
    with open(hidden / "dev_labels.csv") as f:
        truth = [int(row["label"]) for row in csv.DictReader(f)]
    ids = [row["idx"] for name in ("dev", "test") for row in csv.DictReader(open(public / f"{name}.csv"))]
    return truth, ids


@pytest.mark.docker
def test_imdb_scores_the_more_probable_class(stand_in, submit):
    truth, ids = truth_and_ids(stand_in("imdb"))
    # Positive for even idx, negative for odd ones; dev idx are 0..n-1 in the order of dev_labels.csv.
    rows = "".join(f"{i},{0.2 if int(i) % 2 == 0 else 0.7},{0.8 if int(i) % 2 == 0 else 0.3}\n" for i in ids)
    score = submit("imdb", {"submission.csv": "idx,0,1\n" + rows})
    want = sum(t == (1 if i % 2 == 0 else 0) for i, t in enumerate(truth)) / len(truth)
    assert score.status == "scored" and score.stand_in and score.value == round(want, 5), score
    ties = submit("imdb", {"submission.csv": "idx,1,0\n" + "".join(f"{i},0.5,0.5\n" for i in ids)})
    assert ties.value == round(truth.count(0) / len(truth), 5)  # the first of equals: class 0


@pytest.mark.docker
def test_mnli_scores_the_labels(stand_in, submit):
    truth, ids = truth_and_ids(stand_in("mnli"))
    score = submit("mnli", {"submission.csv": "label,idx\n" + "".join(f"{int(i) % 3},{i}\n" for i in ids)})
    want = sum(t == i % 3 for i, t in enumerate(truth)) / len(truth)
    assert score.status == "scored" and score.value == round(want, 5), score


@pytest.mark.docker
@pytest.mark.parametrize("task_id,text,message", [
    ("imdb", "idx,0,1\n0,nan,0.5\n", "the row of idx 0 has 'nan, 0.5': predictions are finite numbers"),
    ("imdb", "idx,0,1\n0,high,low\n", "the row of idx 0 has 'high, low': not a number"),
    ("imdb", "idx,neg,pos\n0,0.1,0.9\n", "must have the columns idx,0,1"),
    ("imdb", "idx,0,1\n0,0.1,0.9\n", "lacks predictions for"),
    ("mnli", "idx,label\n0,3\n", "the label of idx 0 is '3': labels are whole numbers 0-2"),
    ("mnli", "idx,label\n0,entailment\n", "the label of idx 0 is 'entailment': not a number"),
    ("mnli", "id,prediction\n0,1\n", "must have the columns idx and label"),
    ("mnli", "", "must have the columns idx and label"),
], ids=["imdb-nan", "imdb-words", "imdb-columns", "imdb-missing-ids", "mnli-class-3", "mnli-class-name",
        "mnli-columns", "mnli-empty"])
def test_garbage_is_invalid_with_the_cause(stand_in, submit, task_id, text, message):
    stand_in(task_id)
    score = submit(task_id, {"submission.csv": text})
    assert score.status == "invalid" and message in score.message, score
