"""Baseline for identify_contrails: a per-pixel logistic regression on the "ash" false-colour image.

Each pixel of the labelled frame (index 4 of 8) gets three features, the usual contrail false colour:
band 15 - band 14, band 14 - band 11 and band 14, each scaled to a fixed range. The model is fitted
on a sample of training pixels (every contrail pixel and 1,000 others per record); its threshold is the
one with the best global Dice on 10 % of the training records held out. Writes submission.csv
(record_id,encoded_pixels) for the dev and test records. Run it with `%run baseline.py`
(`--limit N` reads only the first N training records).
"""

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

DATA = Path("/data")
LABELLED = 4  # n_times_before: the frame the masks describe


def false_colour(record):
    """H x W x 3 float32 features of a record folder's labelled frame, each roughly in [0, 1]."""
    b11, b14, b15 = (np.load(record / f"band_{b}.npy")[..., LABELLED] for b in (11, 14, 15))
    return np.clip(np.stack([(b15 - b14 + 4) / 6, (b14 - b11 + 4) / 9, (b14 - 243) / 60], -1), 0, 1).astype(np.float32)


def mask(record):
    return np.load(record / "human_pixel_masks.npy")[..., 0].astype(bool)


def rle(m):
    """Kaggle's run-length encoding of a 0/1 mask: "start length" pairs, column-major, 1-based; "-" if empty."""
    pixels = np.concatenate([[0], m.flatten(order="F").astype(np.int8), [0]])
    edges = np.flatnonzero(pixels[1:] != pixels[:-1]) + 1
    starts, ends = edges[0::2], edges[1::2]
    return " ".join(f"{s} {e - s}" for s, e in zip(starts, ends, strict=True)) or "-"


def dice(predicted, truth):
    total = predicted.sum() + truth.sum()
    return 2 * (predicted & truth).sum() / total if total else 1.0


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None, help="use the first N training records only")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    records = sorted((DATA / "train").iterdir())[: args.limit]
    held = max(1, len(records) // 10)
    fit, check = records[held:], records[:held]

    xs, ys = [], []
    for record in fit:
        x, y = false_colour(record).reshape(-1, 3), mask(record).ravel()
        keep = np.flatnonzero(y) if y.any() else np.zeros(0, int)
        keep = np.concatenate([keep, rng.choice(len(y), size=min(1000, len(y)), replace=False)])
        xs.append(x[keep])
        ys.append(y[keep])
    model = LogisticRegression(max_iter=1000).fit(np.concatenate(xs), np.concatenate(ys))

    def probability(record):
        x = false_colour(record)
        return model.predict_proba(x.reshape(-1, 3))[:, 1].reshape(x.shape[:2])

    held_p = [probability(r) for r in check]
    held_y = np.concatenate([mask(r).ravel() for r in check])
    flat = np.concatenate([p.ravel() for p in held_p])
    threshold = max(np.linspace(0.05, 0.95, 19), key=lambda t: dice(flat > t, held_y))
    print(f"{len(fit)} records fitted; held-out Dice {dice(flat > threshold, held_y):.4f} at threshold {threshold:.2f}")

    rows = [(record.name, rle(probability(record) > threshold))
            for split in ("dev", "test") for record in sorted((DATA / split).iterdir())]
    pd.DataFrame(rows, columns=["record_id", "encoded_pixels"]).to_csv("submission.csv", index=False)
    print(f"wrote submission.csv with {len(rows)} records")


if __name__ == "__main__":
    main()
