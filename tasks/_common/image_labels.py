"""Shared by the image classification tasks: their data layout (``save_splits``, for prepare.py) and
their grader (``main``): submission.csv (id,label) against the hidden labels of one split, accuracy.
Dev images have ids 0 to n-1, test images n to 2n-1 (the dev and test halves are the same size); a
submission labels both, and only the split's ids are read. No submitted code runs here.
"""

from pathlib import Path

import numpy as np
from kit import in_order, parse_args, read_predictions, report, require


def save_splits(out, train_x, train_y, test_x, test_y, seed):
    """Write the task's .npy files under ``out``: the training images and labels public; the test images
    shuffled once with ``seed`` into dev and test halves, their images public, their labels hidden.
    Returns the size of a half."""
    out = Path(out)
    np.save(out / "public" / "train_images.npy", train_x)
    np.save(out / "public" / "train_labels.npy", train_y)
    order = np.random.default_rng(seed).permutation(len(test_x))
    half = len(order) // 2
    for split, rows in (("dev", order[:half]), ("test", order[half:2 * half])):
        np.save(out / "public" / f"{split}_images.npy", test_x[rows])
        np.save(out / "hidden" / f"{split}_labels.npy", test_y[rows])
    return half


def main(classes):
    args = parse_args()
    truth = np.load(Path(args.hidden) / f"{args.split}_labels.npy", allow_pickle=False)
    first = 0 if args.split == "dev" else len(truth)

    def label(text):
        try:
            value = float(text)
        except ValueError:
            raise ValueError("not a class number") from None
        if not value.is_integer() or not 0 <= value < classes:
            raise ValueError(f"labels are whole numbers 0-{classes - 1}")
        return int(value)

    path = require(args.submission, "submission.csv", "hold columns id,label (see train.py)")
    predicted = read_predictions(path, "id", "label", label)
    ids = [str(first + i) for i in range(len(truth))]
    labels = np.array(in_order(predicted, ids, "id", args.split))
    report({"accuracy": round(float(np.mean(labels == truth)), 5), "images": len(ids)})
