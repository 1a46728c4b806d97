"""Grade submission.csv (node,label) against the hidden labels of one split's nodes: accuracy. Every node of
the split must be predicted; rows for other nodes (the other split's) are read and ignored."""

import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import in_order, parse_args, read_predictions, report, require  # noqa: E402

CLASSES = 40


def label(text):
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a class number") from None
    if not value.is_integer() or not 0 <= value < CLASSES:
        raise ValueError(f"labels are whole numbers 0-{CLASSES - 1}")
    return int(value)


def main():
    args = parse_args()
    nodes = np.load(Path(args.hidden) / f"{args.split}_nodes.npy", allow_pickle=False)
    truth = np.load(Path(args.hidden) / f"{args.split}_labels.npy", allow_pickle=False)
    path = require(args.submission, "submission.csv", "hold columns node,label (see train.py)")
    predicted = read_predictions(path, "node", "label", label)
    labels = np.array(in_order(predicted, [str(n) for n in nodes], "node", args.split))
    report({"accuracy": round(float(np.mean(labels == truth)), 5), "nodes": len(nodes)})


if __name__ == "__main__":
    main()
