"""Build the data of feedback_prize from the competition's train.csv (the only labelled file).

Usage: python prepare.py OUTDIR DATADIR   (reads DATADIR/train.csv; writes OUTDIR/public and OUTDIR/hidden)

Kaggle's test.csv holds three essays and no scores, so the labelled essays are split once, with a fixed
seed: 70 % train (with the six scores), 15 % dev and 15 % test without them; the dev and test scores go to
hidden/.
"""

import sys
from pathlib import Path

import pandas as pd

MEASURES = ["cohesion", "syntax", "vocabulary", "phraseology", "grammar", "conventions"]

out, data = Path(sys.argv[1]), Path(sys.argv[2])
# As text, so that the public file keeps the essays and scores exactly as Kaggle wrote them.
essays = pd.read_csv(data / "train.csv", dtype=str, keep_default_na=False)
wanted = ["text_id", "full_text", *MEASURES]
if list(essays.columns) != wanted:
    sys.exit(f"{data / 'train.csv'} does not have the competition's columns: expected {wanted}, "
             f"found {list(essays.columns)}")

# Sorted first, so that the split does not depend on the file's row order.
essays = essays.sort_values("text_id").sample(frac=1, random_state=20261129)
cut = [int(len(essays) * 0.70), int(len(essays) * 0.85)]
splits = {"train": essays[:cut[0]], "dev": essays[cut[0]:cut[1]], "test": essays[cut[1]:]}

splits["train"].to_csv(out / "public" / "train.csv", index=False)
for name in ("dev", "test"):
    splits[name][["text_id", "full_text"]].to_csv(out / "public" / f"{name}.csv", index=False)
    splits[name][["text_id", *MEASURES]].to_csv(out / "hidden" / f"{name}_labels.csv", index=False)
(out / "public" / "README.md").write_text(
    f"Kaggle 'Feedback Prize - English Language Learning' essays (the ELLIPSE corpus): train.csv "
    f"({cut[0]} essays, with the six scores), dev.csv ({cut[1] - cut[0]}) and test.csv ({len(essays) - cut[1]}) "
    "with text_id and full_text only. See the task description.\n")
