"""Write a synthetic stand-in for nyu-mll/glue's MultiNLI parquet files: the same paths and columns
(premise, hypothesis string, label int64, idx int32), 200 training and 100 matched validation pairs
(and small copies of the other splits), made from templates: an entailed hypothesis restates part of
the premise, a contradiction negates it or swaps its subject, a neutral one adds an unstated reason.
For tests of the loader, baseline and grader; never a real score.

Usage: python standin.py FOLDER   (writes FOLDER/mnli/<split>-00000-of-00001.parquet)
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(5)
PEOPLE = "the teacher|the farmer|my sister|the old man|a young pilot|the mayor|our neighbour|the doctor".split("|")
ACTS = [("painted", "paint"), ("sold", "sell"), ("repaired", "repair"), ("carried", "carry"), ("found", "find"),
        ("cleaned", "clean"), ("bought", "buy"), ("built", "build")]
THINGS = "the red boat|a wooden chair|the small house|an old car|the garden fence|a blue bicycle".split("|")
PLACES = "in the village|near the river|at the market|after lunch|during the storm|on sunday".split("|")
REASONS = "because it was cheap|for a friend|to win a prize|before moving away|as a birthday gift".split("|")


def pair(label):
    who, (did, do), what, where = (rng.choice(PEOPLE), ACTS[rng.integers(len(ACTS))], rng.choice(THINGS),
                                   rng.choice(PLACES))
    premise = f"{who} {did} {what} {where}.".capitalize()
    if label == 0:
        hypothesis = rng.choice([f"{who} {did} {what}.", f"someone {did} {what}.", f"{what} was {did} {where}."])
    elif label == 1:
        hypothesis = f"{who} {did} {what} {rng.choice(REASONS)}."
    else:
        other = rng.choice([p for p in PEOPLE if p != who])
        hypothesis = rng.choice([f"{who} did not {do} {what}.", f"{who} never {did} anything.",
                                 f"only {other} {did} {what}, not {who}."])
    return premise, hypothesis.capitalize()


def frame(n, labelled=True):
    labels = rng.integers(0, 3, size=n)
    pairs = [pair(int(y)) for y in labels]
    return pd.DataFrame({"premise": [p for p, _ in pairs], "hypothesis": [h for _, h in pairs],
                         "label": (labels if labelled else np.full(n, -1)).astype(np.int64),
                         "idx": np.arange(n, dtype=np.int32)})


folder = Path(sys.argv[1]) / "mnli"
folder.mkdir(parents=True, exist_ok=True)
for split, n in (("train", 200), ("validation_matched", 100), ("validation_mismatched", 20)):
    frame(n).to_parquet(folder / f"{split}-00000-of-00001.parquet", index=False)
for split in ("test_matched", "test_mismatched"):  # GLUE's test labels are private: -1
    frame(20, labelled=False).to_parquet(folder / f"{split}-00000-of-00001.parquet", index=False)
