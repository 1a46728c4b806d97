"""Grade submission.csv (Id,SalePrice) against the hidden prices of one split; print one JSON dict."""

import csv
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import fail, parse_args, report, require  # noqa: E402


def read_predictions(path):
    """Id -> predicted SalePrice from the submitted CSV, or an invalid-submission report."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or not {"Id", "SalePrice"} <= set(reader.fieldnames):
            fail(f"submission.csv must have the columns Id and SalePrice; it has {str(reader.fieldnames)[:200]}")
        predicted = {}
        for row in reader:
            ident, price = row.get("Id"), row.get("SalePrice")
            try:
                value = float(price)
            except (TypeError, ValueError):
                fail(f"SalePrice of Id {str(ident)[:40]} is not a number: {str(price)[:40]!r}")
            if not math.isfinite(value):
                fail(f"SalePrice of Id {str(ident)[:40]} is {value}")
            predicted[str(ident).strip()] = value
    return predicted


def main():
    args = parse_args()
    with open(Path(args.hidden) / f"{args.split}_labels.csv") as f:
        truth = {row["Id"]: float(row["SalePrice"]) for row in csv.DictReader(f)}
    path = require(args.submission, "submission.csv", "hold columns Id,SalePrice (see baseline.py)")
    try:
        predicted = read_predictions(path)
    except (csv.Error, UnicodeDecodeError) as exc:
        fail(f"submission.csv is not a readable CSV file: {exc}")
    missing = [i for i in truth if i not in predicted]
    if missing:
        fail(f"submission.csv lacks predictions for {len(missing)} of the {len(truth)} {args.split} Ids "
             f"(e.g. {missing[:3]})")
    ids = list(truth)
    y = [truth[i] for i in ids]
    p = [predicted[i] for i in ids]
    mean = sum(y) / len(y)
    ss_res = sum((a - b) ** 2 for a, b in zip(y, p, strict=True))
    ss_tot = sum((a - mean) ** 2 for a in y)
    report({"r2": round(1 - ss_res / ss_tot, 5), "rmse": round(math.sqrt(ss_res / len(y)), 1)})


if __name__ == "__main__":
    main()
