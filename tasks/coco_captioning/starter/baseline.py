"""Baseline for coco_captioning: caption each dev and test image with a caption of its nearest training
image, nearest by colour histogram (4 x 4 x 4 bins of RGB, L1 distance). Writes submission.csv
(image_id,caption), the file the grader reads; run it in the notebook with `%run baseline.py`.
"""

import csv
import json

import numpy as np


def histograms(images):
    """(n, 64) colour histograms of uint8 images (n, h, w, 3), each summing to 1."""
    bins = (images // 64).astype(np.int64)
    codes = (bins[..., 0] * 16 + bins[..., 1] * 4 + bins[..., 2]).reshape(len(images), -1)
    counts = np.stack([np.bincount(row, minlength=64) for row in codes]).astype(np.float64)
    return counts / counts.sum(axis=1, keepdims=True)


def main():
    train = histograms(np.load("/data/train_images.npy"))
    train_ids = np.load("/data/train_ids.npy")
    captions = json.load(open("/data/train_captions.json"))
    rows = []
    for split in ("dev", "test"):
        ids = np.load(f"/data/{split}_ids.npy")
        for image_id, hist in zip(ids, histograms(np.load(f"/data/{split}_images.npy")), strict=True):
            nearest = train_ids[np.argmin(np.abs(train - hist).sum(axis=1))]
            rows.append((int(image_id), captions[str(nearest)][0]))
    with open("submission.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["image_id", "caption"])
        writer.writerows(rows)
    print(f"wrote submission.csv: {len(rows)} captions")


if __name__ == "__main__":  # %run baseline.py; the reference imports histograms
    main()
