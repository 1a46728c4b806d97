"""Grade submission.csv (prediction_id,rating) against the hidden UPDRS scores of one split: SMAPE+1, the
symmetric mean absolute percentage error of the scores plus one (0 is perfect, 200 the worst), over every
prediction whose visit took place."""

import csv
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import in_order, parse_args, read_predictions, report, require  # noqa: E402


def rating(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise ValueError("ratings are finite numbers >= 0")
    return value


def main():
    args = parse_args()
    with open(Path(args.hidden) / f"{args.split}_labels.csv", newline="") as f:
        truth = {row["prediction_id"]: float(row["rating"]) for row in csv.DictReader(f)}
    path = require(args.submission, "submission.csv", "hold columns prediction_id,rating (see sample_submission.csv)")
    predicted = in_order(read_predictions(path, "prediction_id", "rating", rating), list(truth), "prediction_id",
                         args.split)
    # SMAPE of (score + 1): the +1 keeps a score of 0 predicted as 1 from costing the maximum 200.
    errors = [abs(p - t) / ((p + t) / 2 + 1) for p, t in zip(predicted, truth.values(), strict=True)]
    report({"smape1": round(100 * sum(errors) / len(errors), 4), "predictions": len(errors)})


if __name__ == "__main__":
    main()
