"""Baseline for fathomnet: colour histograms and one logistic regression per category.

Each image becomes a 4 x 4 x 4 histogram of its RGB colours (64 shares). A logistic regression per
category seen in training predicts whether the category is present; an image's categories are ranked by
that probability (the first 20 are written), and its out-of-sample score osd is 1 minus the highest one
(an image where no known animal is recognised looks new). Writes submission.csv (id,categories,osd)
for the dev and test images; run it with `%run baseline.py`.
"""

import ast

import numpy as np
import pandas as pd
from PIL import Image
from sklearn.linear_model import LogisticRegression

DATA = "/data"


def histogram(ident):
    """The shares of the image's pixels in 64 colour bins (read at 64 x 64 to keep it quick)."""
    img = np.asarray(Image.open(f"{DATA}/images/{ident}.png").convert("RGB").resize((64, 64)))
    bins = (img // 64).astype(int)
    codes = bins[..., 0] * 16 + bins[..., 1] * 4 + bins[..., 2]
    return np.bincount(codes.ravel(), minlength=64) / codes.size


def main():
    train = pd.read_csv(f"{DATA}/multilabel_classification/train.csv")
    labels = [[int(c) for c in ast.literal_eval(text)] for text in train["categories"]]
    x = np.stack([histogram(i) for i in train["id"]])
    seen = sorted({c for row in labels for c in row if 0 < sum(c in r for r in labels) < len(labels)})
    models = {c: LogisticRegression(C=10, max_iter=1000).fit(x, [c in row for row in labels]) for c in seen}
    print(f"fitted {len(models)} categories on {len(x)} images")

    ids = pd.concat([pd.read_csv(f"{DATA}/{split}.csv")["id"] for split in ("dev", "test")]).tolist()
    xq = np.stack([histogram(i) for i in ids])
    proba = np.stack([models[c].predict_proba(xq)[:, 1] for c in seen], axis=1)
    top = np.argsort(-proba, axis=1)[:, :20]
    categories = [" ".join(str(seen[j]) for j in row) for row in top]
    osd = 1 - proba.max(axis=1)
    pd.DataFrame({"id": ids, "categories": categories, "osd": osd.round(5)}).to_csv("submission.csv", index=False)
    print(f"wrote submission.csv with {len(ids)} images")


if __name__ == "__main__":
    main()
