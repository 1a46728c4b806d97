"""Grade submission.csv (id,categories,osd) against the hidden labels of one split: the competition's score,
(sAUC + MAP@20) / 2, where sAUC = 2 AUC - 1 of osd against the out-of-sample flag and MAP@20 is the mean
average precision of the ranked categories (the first 20 count; a repeated category is skipped). Only the
split's ids are read; no submitted code runs here.
"""

import csv
import json
import math
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import in_order, parse_args, read_predictions, report, require  # noqa: E402

K = 20


def average_precision(truth, ranked):
    hits, total = 0, 0.0
    for rank, category in enumerate(ranked[:K]):
        if category in truth and category not in ranked[:rank]:
            hits += 1
            total += hits / (rank + 1)
    return total / min(len(truth), K)


def auc(flags, scores):
    """Area under the ROC curve: the chance that an out-of-sample image outscores an in-sample one (ties 1/2)."""
    flags, scores = np.asarray(flags, bool), np.asarray(scores, float)
    values, inverse = np.unique(scores, return_inverse=True)
    below = np.cumsum(np.bincount(inverse[~flags], minlength=len(values)))  # in-sample scores <= each value
    same = np.bincount(inverse[~flags], minlength=len(values))
    wins = (below - same)[inverse[flags]] + 0.5 * same[inverse[flags]]
    return float(wins.sum() / (flags.sum() * (~flags).sum()))


def main():
    args = parse_args()
    known = set(json.loads((Path(args.hidden) / "category_ids.json").read_text()))
    with open(Path(args.hidden) / f"{args.split}_labels.csv", newline="") as f:
        truth = {row["id"]: ([int(c) for c in row["categories"].split()], row["osd"] == "1")
                 for row in csv.DictReader(f)}

    def categories(text):
        parts = text.split()
        if not all(p.isascii() and p.isdigit() and len(p) < 9 for p in parts) or len(parts) > 1000:
            raise ValueError("categories are space-separated category ids (whole numbers)")
        unknown = [p for p in parts if int(p) not in known]
        if unknown:
            raise ValueError(f"{unknown[0][:12]} is not a category id of category_key.csv")
        return [int(p) for p in parts]

    def probability(text):
        try:
            value = float(text)
        except ValueError:
            raise ValueError("osd is a number from 0 to 1") from None
        if not math.isfinite(value) or not 0 <= value <= 1:
            raise ValueError("osd is a number from 0 to 1")
        return value

    path = require(args.submission, "submission.csv", "hold columns id,categories,osd (see baseline.py)")
    ids = list(truth)
    ranked = in_order(read_predictions(path, "id", "categories", categories), ids, "id", args.split)
    osd = in_order(read_predictions(path, "id", "osd", probability), ids, "id", args.split)
    map20 = float(np.mean([average_precision(truth[i][0], r) for i, r in zip(ids, ranked, strict=True)]))
    sauc = 2 * auc([truth[i][1] for i in ids], osd) - 1
    report({"score": round((sauc + map20) / 2, 5), "map20": round(map20, 5), "sauc": round(sauc, 5),
            "images": len(ids)})


if __name__ == "__main__":
    main()
