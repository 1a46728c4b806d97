"""Grade submission.csv (id,label) against the hidden labels of one split: accuracy; print one JSON dict.

Dev images have ids 0-4999, test images 5000-9999; a submission labels both (only the split's
ids are read). No submitted code runs here.
"""

import csv
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import fail, parse_args, report, require  # noqa: E402

FIRST_ID = {"dev": 0, "test": 5000}


def read_predictions(path):
    """id -> predicted label from the submitted CSV, or an invalid-submission report."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or not {"id", "label"} <= set(reader.fieldnames):
            fail(f"submission.csv must have the columns id and label; it has {str(reader.fieldnames)[:200]}")
        predicted = {}
        for row in reader:
            ident, label = str(row.get("id")).strip(), str(row.get("label")).strip()
            try:
                value = float(label)
            except ValueError:
                fail(f"the label of id {ident[:40]} is not a class number: {label[:40]!r}")
            if not value.is_integer() or not 0 <= value <= 9:
                fail(f"the label of id {ident[:40]} is {label[:40]!r}; labels are whole numbers 0-9")
            predicted[ident] = int(value)
    return predicted


def main():
    args = parse_args()
    truth = np.load(Path(args.hidden) / f"{args.split}_labels.npy", allow_pickle=False)
    path = require(args.submission, "submission.csv", "hold columns id,label (see train.py)")
    try:
        predicted = read_predictions(path)
    except (csv.Error, UnicodeDecodeError) as exc:
        fail(f"submission.csv is not a readable CSV file: {exc}")
    ids = [str(FIRST_ID[args.split] + i) for i in range(len(truth))]
    missing = [i for i in ids if i not in predicted]
    if missing:
        fail(f"submission.csv lacks labels for {len(missing)} of the {len(ids)} {args.split} ids "
             f"({ids[0]}-{ids[-1]}; e.g. {missing[:3]})")
    labels = np.array([predicted[i] for i in ids])
    report({"accuracy": round(float(np.mean(labels == truth)), 5), "images": len(ids)})


if __name__ == "__main__":
    main()
