"""Grade submission.csv (text_id and the six measures) against the hidden scores of one split: MCRMSE, the
mean over the six measures of the root mean squared error."""

import csv
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import fail, in_order, parse_args, report, require  # noqa: E402

MEASURES = ["cohesion", "syntax", "vocabulary", "phraseology", "grammar", "conventions"]


def number(text, measure, text_id):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        fail(f"the {measure} of text_id {text_id[:40]} is {text[:40]!r}: scores are finite numbers")
    return value


def read_scores(path):
    """{text_id: [six scores]} from the submitted file, or an invalid-submission report."""
    predicted = {}
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or not {"text_id", *MEASURES} <= set(reader.fieldnames):
                fail(f"submission.csv must have the columns text_id,{','.join(MEASURES)}; it has "
                     f"{str(reader.fieldnames)[:200]}")
            for row in reader:
                text_id = str(row["text_id"]).strip()
                if text_id in predicted:
                    fail(f"submission.csv has text_id {text_id[:40]} twice")
                predicted[text_id] = [number(str(row[m]).strip(), m, text_id) for m in MEASURES]
    except (csv.Error, UnicodeDecodeError) as exc:
        fail(f"submission.csv is not a readable CSV file: {exc}")
    return predicted


def main():
    args = parse_args()
    with open(Path(args.hidden) / f"{args.split}_labels.csv", newline="") as f:
        truth = {row["text_id"]: [float(row[m]) for m in MEASURES] for row in csv.DictReader(f)}
    path = require(args.submission, "submission.csv", f"hold columns text_id,{','.join(MEASURES)} (see baseline.py)")
    predicted = in_order(read_scores(path), list(truth), "text_id", args.split)
    rmse = {m: math.sqrt(sum((p[j] - t[j]) ** 2 for p, t in zip(predicted, truth.values(), strict=True)) / len(truth))
            for j, m in enumerate(MEASURES)}
    report({"mcrmse": round(sum(rmse.values()) / len(MEASURES), 5),
            **{f"rmse_{m}": round(v, 5) for m, v in rmse.items()}, "essays": len(truth)})


if __name__ == "__main__":
    main()
