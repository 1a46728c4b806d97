"""Grade submission.csv (Id,SalePrice) against the hidden prices of one split; print one JSON dict."""

import csv
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import in_order, parse_args, read_predictions, report, require  # noqa: E402


def price(text):
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if not math.isfinite(value):
        raise ValueError("prices are finite numbers")
    return value


def main():
    args = parse_args()
    with open(Path(args.hidden) / f"{args.split}_labels.csv") as f:
        truth = {row["Id"]: float(row["SalePrice"]) for row in csv.DictReader(f)}
    path = require(args.submission, "submission.csv", "hold columns Id,SalePrice (see baseline.py)")
    predicted = read_predictions(path, "Id", "SalePrice", price)
    ids = list(truth)
    y = [truth[i] for i in ids]
    p = in_order(predicted, ids, "Id", args.split)
    mean = sum(y) / len(y)
    ss_res = sum((a - b) ** 2 for a, b in zip(y, p, strict=True))
    ss_tot = sum((a - mean) ** 2 for a in y)
    report({"r2": round(1 - ss_res / ss_tot, 5), "rmse": round(math.sqrt(ss_res / len(y)), 1)})


if __name__ == "__main__":
    main()
