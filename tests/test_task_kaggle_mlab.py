"""Graders and data preparation of feedback_prize and parkinsons_disease (Kaggle competitions of
MLAgentBench), on their stand-in data: a known submission scores exactly what the metric says, garbage is
invalid with its cause."""

import csv
import math

import pytest

from mlgym_nb.workspace import prepared_data

MEASURES = ["cohesion", "syntax", "vocabulary", "phraseology", "grammar", "conventions"]


@pytest.fixture
def data(stand_in):
    """data(task_id) -> (public, hidden) folders prepared from the task's stand-in, in this test's own folder."""
    return lambda task_id: prepared_data(stand_in(task_id))


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_parkinsons_split_keeps_patients_apart_and_labels_follow_the_visits(data):
    public, hidden = data("parkinsons_disease")
    patients = {name: {r["patient_id"] for r in rows(public / f"{name}.csv")}
                for name in ("train_clinical_data", "dev_visits", "test_visits")}
    assert all(patients.values())
    assert not (patients["train_clinical_data"] & patients["dev_visits"])
    assert not (patients["dev_visits"] & patients["test_visits"])
    assert not patients["train_clinical_data"] & patients["test_visits"]
    supplemental = {r["patient_id"] for r in rows(public / "supplemental_clinical_data.csv")}
    assert not supplemental & (patients["dev_visits"] | patients["test_visits"])
    assert "updrs_1" not in rows(public / "dev_visits.csv")[0]
    asked = {r["prediction_id"] for r in rows(public / "sample_submission.csv")}
    months = {(r["patient_id"], int(r["visit_month"])) for r in rows(public / "dev_visits.csv")}
    labels = rows(hidden / "dev_labels.csv")
    assert labels and {r["prediction_id"] for r in labels} <= asked
    for label in labels:  # a label needs a visit `horizon` months after the asked one
        patient, month, _, part, _, horizon, _ = label["prediction_id"].split("_")
        assert (patient, int(month) + int(horizon)) in months and 1 <= int(part) <= 4


def test_feedback_split_hides_the_scores(data):
    public, hidden = data("feedback_prize")
    train, dev = rows(public / "train.csv"), rows(public / "dev.csv")
    assert list(dev[0]) == ["text_id", "full_text"] and list(train[0])[2:] == MEASURES
    assert {r["text_id"] for r in dev} == {r["text_id"] for r in rows(hidden / "dev_labels.csv")}
    assert not {r["text_id"] for r in train} & {r["text_id"] for r in dev}


@pytest.mark.docker
def test_feedback_known_submission_scores_its_mcrmse(data, submit):
    public, hidden = data("feedback_prize")
    truth = rows(hidden / "dev_labels.csv")
    ids = [r["text_id"] for name in ("dev", "test") for r in rows(public / f"{name}.csv")]
    text = "text_id," + ",".join(MEASURES) + "\n" + "".join(f"{i},3,3,3,3,3,2.5\n" for i in ids)
    score = submit("feedback_prize", {"submission.csv": text})
    guess = dict(zip(MEASURES, [3, 3, 3, 3, 3, 2.5], strict=True))
    want = sum(math.sqrt(sum((float(r[m]) - guess[m]) ** 2 for r in truth) / len(truth)) for m in MEASURES) / 6
    assert score.status == "scored" and score.value == round(want, 5), score


@pytest.mark.docker
@pytest.mark.parametrize("body,message", [
    ("text_id,cohesion\nX,3\n", "must have the columns text_id,cohesion,syntax"),
    ("{head}\nX,3,3,3,3,3,nan\n", "the conventions of text_id X is 'nan': scores are finite numbers"),
    ("{head}\nX,3,3,3,3,3,3\nX,3,3,3,3,3,3\n", "has text_id X twice"),
    ("{head}\nX,3,3,3,3,3,3\n", "lacks predictions for"),
], ids=["columns", "nan", "twice", "missing"])
def test_feedback_garbage_is_invalid_with_the_cause(data, submit, body, message):
    data("feedback_prize")
    score = submit("feedback_prize", {"submission.csv": body.format(head="text_id," + ",".join(MEASURES))})
    assert score.status == "invalid" and message in score.message, score


@pytest.mark.docker
def test_parkinsons_known_submission_scores_its_smape1(data, submit):
    public, hidden = data("parkinsons_disease")
    asked = [r["prediction_id"] for r in rows(public / "sample_submission.csv")]
    score = submit("parkinsons_disease", {"submission.csv": "prediction_id,rating\n"
                                          + "".join(f"{i},5\n" for i in asked) + "999_0_extra,1\n"})
    truth = [float(r["rating"]) for r in rows(hidden / "dev_labels.csv")]
    want = 100 * sum(abs(5 - t) / ((5 + t) / 2 + 1) for t in truth) / len(truth)
    assert score.status == "scored" and score.value == round(want, 4), score


@pytest.mark.docker
@pytest.mark.parametrize("text,message", [
    ("prediction_id,rating\n1_0_updrs_1_plus_0_months,-1\n", "is '-1': ratings are finite numbers >= 0"),
    ("prediction_id,rating\n1_0_updrs_1_plus_0_months,abc\n", "is 'abc': ratings are finite numbers >= 0"),
    ("prediction_id,rating\n1_0_updrs_1_plus_0_months,2\n", "lacks predictions for"),
    ("visit_id,updrs_1\n1_0,2\n", "must have the columns prediction_id and rating"),
], ids=["negative", "text", "missing", "columns"])
def test_parkinsons_garbage_is_invalid_with_the_cause(data, submit, text, message):
    data("parkinsons_disease")
    score = submit("parkinsons_disease", {"submission.csv": text})
    assert score.status == "invalid" and message in score.message, score
