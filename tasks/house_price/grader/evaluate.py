"""Grade submission.csv (Id,SalePrice) against the hidden prices of one split; print one JSON dict."""

import csv
import json
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import fail, parse_args  # noqa: E402


def main():
    args = parse_args()
    with open(Path(args.hidden) / f"{args.split}_labels.csv") as f:
        truth = {row["Id"]: float(row["SalePrice"]) for row in csv.DictReader(f)}
    path = Path(args.workspace) / "submission.csv"
    if not path.exists():
        fail("no submission.csv in the workspace; write one with columns Id,SalePrice (see baseline.py)")
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or not {"Id", "SalePrice"} <= set(reader.fieldnames):
            fail(f"submission.csv must have the columns Id and SalePrice; it has {reader.fieldnames}")
        predicted = {}
        for row in reader:
            try:
                value = float(row["SalePrice"])
            except (TypeError, ValueError):
                fail(f"SalePrice of Id {row['Id']} is not a number: {row['SalePrice']!r}")
            if not math.isfinite(value):
                fail(f"SalePrice of Id {row['Id']} is {value}")
            predicted[row["Id"].strip()] = value
    missing = [i for i in truth if i not in predicted]
    if missing:
        fail(f"submission.csv lacks predictions for {len(missing)} of the {len(truth)} {args.split} Ids "
             f"(e.g. {missing[:3]})")
    ids = list(truth)
    y = [truth[i] for i in ids]
    p = [predicted[i] for i in ids]
    mean = sum(y) / len(y)
    ss_res = sum((a - b) ** 2 for a, b in zip(y, p))
    ss_tot = sum((a - mean) ** 2 for a in y)
    print(json.dumps({"r2": round(1 - ss_res / ss_tot, 5), "rmse": round(math.sqrt(ss_res / len(y)), 1)}))


if __name__ == "__main__":
    main()
