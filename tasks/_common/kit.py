"""Helpers for graders (mounted read-only at /common in grader sandboxes). A grader prints one JSON
dict: its metrics, or {"error": ...} when the submission is missing or malformed.

Graders read the submission from /submission, a copy of the declared files (never the live
workspace), and run any submitted code through ``player.Player`` (see player.py)."""

import argparse
import csv
import json
import os
import sys

from player import isolated


def mounted(path):
    """Where a layout folder (``/starter``) is: itself, or its host path in the unisolated local sandbox."""
    return os.environ.get("MLGYM_" + path.strip("/").replace("/", "_").upper() + "_DIR", path)


def fail(message):
    """Report an invalid submission and stop."""
    print(json.dumps({"error": message}))
    sys.exit(0)


def numeric_array(value, what, where):
    """A submitted function's reply (an array or nested lists) as a numpy array of numbers, or an
    invalid-submission report naming ``what`` returned it and ``where``."""
    import numpy as np

    if isinstance(value, list):
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            fail(f"{what} returned a list that is not a rectangular array of numbers {where}")
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        fail(f"{what} returned {type(value).__name__} {where}; it must return a numpy array of numbers")
    return value


def report(metrics):
    """Print the metrics, with whether the agent's code ran isolated from the scorer."""
    print(json.dumps({**metrics, "isolated": isolated()}))


def parse_args():
    """The grader command line: --split, --submission, --hidden."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", required=True)
    parser.add_argument("--submission", default="/submission")
    parser.add_argument("--hidden", default="/secret/hidden")
    return parser.parse_args()


def require(folder, name, what):
    """The path of submission file ``name``, or an invalid-submission report saying ``what`` it must hold."""
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        fail(f"no {name} in the workspace; it must {what}")
    return path


def read_predictions(path, key, column, parse, name="submission.csv"):
    """{key: parse(column)} for each row of a submitted CSV file, or an invalid-submission report.

    ``parse`` turns a cell's text into a value, or raises ValueError saying what a valid value is.
    """
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or not {key, column} <= set(reader.fieldnames):
                fail(f"{name} must have the columns {key} and {column}; it has {str(reader.fieldnames)[:200]}")
            predicted = {}
            for row in reader:
                ident, text = str(row.get(key)).strip(), str(row.get(column)).strip()
                try:
                    predicted[ident] = parse(text)
                except ValueError as exc:
                    fail(f"the {column} of {key} {ident[:40]} is {text[:40]!r}: {exc}")
    except (csv.Error, UnicodeDecodeError) as exc:
        fail(f"{name} is not a readable CSV file: {exc}")
    return predicted


def in_order(predicted, ids, key, split, name="submission.csv"):
    """The predictions for ``ids``, in their order, or an invalid-submission report naming the missing ones."""
    missing = [i for i in ids if i not in predicted]
    if missing:
        fail(f"{name} lacks predictions for {len(missing)} of the {len(ids)} {split} {key}s (e.g. {missing[:3]})")
    return [predicted[i] for i in ids]
