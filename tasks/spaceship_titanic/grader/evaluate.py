"""Grade submission.csv (PassengerId,Transported) against the hidden labels of one split: accuracy."""

import csv
import os
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import in_order, parse_args, read_predictions, report, require  # noqa: E402

TRUE, FALSE = {"true", "1", "1.0"}, {"false", "0", "0.0"}


def transported(text):
    value = text.lower()
    if value not in TRUE | FALSE:
        raise ValueError("predictions are True or False")
    return value in TRUE


def main():
    args = parse_args()
    with open(Path(args.hidden) / f"{args.split}_labels.csv", newline="") as f:
        truth = {row["PassengerId"]: row["Transported"] == "True" for row in csv.DictReader(f)}
    path = require(args.submission, "submission.csv", "hold columns PassengerId,Transported (see baseline.py)")
    predicted = in_order(read_predictions(path, "PassengerId", "Transported", transported), list(truth),
                         "PassengerId", args.split)
    right = sum(p == t for p, t in zip(predicted, truth.values(), strict=True))
    report({"accuracy": round(right / len(truth), 5), "passengers": len(truth)})


if __name__ == "__main__":
    main()
