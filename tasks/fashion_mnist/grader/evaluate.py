"""Grade submission.csv (id,label) against the hidden labels of one split: accuracy; print one JSON dict.

Dev images have ids 0-4999, test images 5000-9999; a submission labels both (only the split's
ids are read). No submitted code runs here.
"""

import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import in_order, parse_args, read_predictions, report, require  # noqa: E402

FIRST_ID = {"dev": 0, "test": 5000}


def label(text):
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a class number") from None
    if not value.is_integer() or not 0 <= value <= 9:
        raise ValueError("labels are whole numbers 0-9")
    return int(value)


def main():
    args = parse_args()
    truth = np.load(Path(args.hidden) / f"{args.split}_labels.npy", allow_pickle=False)
    path = require(args.submission, "submission.csv", "hold columns id,label (see train.py)")
    predicted = read_predictions(path, "id", "label", label)
    ids = [str(FIRST_ID[args.split] + i) for i in range(len(truth))]
    labels = np.array(in_order(predicted, ids, "id", args.split))
    report({"accuracy": round(float(np.mean(labels == truth)), 5), "images": len(ids)})


if __name__ == "__main__":
    main()
