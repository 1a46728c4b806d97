"""Write a synthetic stand-in for the contrails competition's data: train/ and validation/ record folders with
the real file names and dtypes (band_08.npy ... band_16.npy float32 H x W x 8 brightness temperatures,
human_pixel_masks.npy int32 H x W x 1, human_individual_masks.npy in train/) and the two metadata files, but
32 x 32 pixels and 40 + 20 records. Contrails are thin straight streaks that are cooler in band 14 than in
band 11 and 15 from the labelled frame on; round cloud blobs carry the same per-pixel signature without being
contrails, so a model that sees shapes beats a per-pixel rule. For tests only; never a real score.

Usage: python standin.py FOLDER
"""

import json
import sys
from pathlib import Path

import numpy as np

SIZE, TIMES, BEFORE = 32, 8, 4
BANDS = range(8, 17)
rng = np.random.default_rng(11)


def streaks():
    """A mask of 1-2 thin straight lines (or none), each at least 10 pixels long."""
    mask = np.zeros((SIZE, SIZE), bool)
    for _ in range(rng.choice([0, 1, 1, 2])):
        y, x = rng.uniform(0, SIZE, 2)
        angle, length = rng.uniform(0, np.pi), rng.uniform(12, 28)
        for t in np.linspace(-length / 2, length / 2, 80):
            i, j = int(y + t * np.sin(angle)), int(x + t * np.cos(angle))
            if 0 <= i < SIZE and 0 <= j < SIZE:
                mask[i, j] = True
    return mask


def blobs():
    """1-2 round patches (natural cloud), the same colour as contrails but not contrails."""
    yy, xx = np.mgrid[:SIZE, :SIZE]
    mask = np.zeros((SIZE, SIZE), bool)
    for _ in range(rng.integers(1, 3)):
        y, x, r = rng.uniform(0, SIZE), rng.uniform(0, SIZE), rng.uniform(2, 4)
        mask |= (yy - y) ** 2 + (xx - x) ** 2 < r * r
    return mask


def record(folder, labelled_by=None):
    folder.mkdir(parents=True)
    contrail, cloud = streaks(), blobs()
    base = 260 + rng.normal(0, 6) + rng.normal(0, 1.5, (SIZE, SIZE))
    for band in BANDS:
        frames = np.empty((SIZE, SIZE, TIMES), np.float32)
        for t in range(TIMES):
            temp = base + 2.0 * (band - 12) + rng.normal(0, 0.7, (SIZE, SIZE))
            shift = -1.6 if band == 14 else 0.6 if band in (11, 15) else 0.0
            temp += shift * cloud + shift * contrail * (t >= BEFORE - 1)
            frames[..., t] = temp
        np.save(folder / f"band_{band:02d}.npy", frames)
    np.save(folder / "human_pixel_masks.npy", contrail[..., None].astype(np.int32))
    if labelled_by:
        votes = [(contrail & (rng.random((SIZE, SIZE)) < 0.9)) for _ in range(labelled_by)]
        np.save(folder / "human_individual_masks.npy", np.stack(votes, -1)[:, :, None, :].astype(np.int32))


root = Path(sys.argv[1])
for split, count in (("train", 40), ("validation", 20)):
    meta = []
    for _ in range(count):
        ident = str(rng.integers(10**18, 9 * 10**18))
        record(root / split / ident, labelled_by=int(rng.integers(4, 6)) if split == "train" else None)
        meta.append({"record_id": ident, "projection_wkt": "stand-in", "row_min": 0.0, "row_size": 1.0,
                     "col_min": 0.0, "col_size": 1.0, "timestamp": 1.5e9 + float(rng.integers(10**7))})
    (root / f"{split}_metadata.json").write_text(json.dumps(meta))
