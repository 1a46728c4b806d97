"""Write a synthetic stand-in for CIFAR-10's python version: the same files, pickles and keys, random
images (100 per training batch, 200 in test_batch) whose mean colour depends on the class, so that a
model has something to learn. For tests of the loader, baseline and grader; never a real score.

Usage: python standin.py FOLDER   (writes FOLDER/cifar-10-batches-py)
"""

import pickle
import sys
from pathlib import Path

import numpy as np

rng = np.random.default_rng(3)
CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
TINT = rng.integers(40, 216, size=(10, 3))
folder = Path(sys.argv[1]) / "cifar-10-batches-py"
folder.mkdir(parents=True, exist_ok=True)


def batch(n, label):
    labels = rng.integers(0, 10, size=n)
    planes = TINT[labels][:, :, None] + rng.normal(0, 40, size=(n, 3, 1024))
    data = np.clip(planes, 0, 255).astype(np.uint8).reshape(n, 3072)
    return {b"batch_label": label.encode(), b"labels": labels.tolist(), b"data": data,
            b"filenames": [f"standin_{label}_{i}.png".encode() for i in range(n)]}


for i in range(1, 6):
    with open(folder / f"data_batch_{i}", "wb") as f:
        pickle.dump(batch(100, f"training batch {i} of 5"), f)
with open(folder / "test_batch", "wb") as f:
    pickle.dump(batch(200, "testing batch 1 of 1"), f)
with open(folder / "batches.meta", "wb") as f:
    pickle.dump({b"label_names": [c.encode() for c in CLASSES], b"num_cases_per_batch": 100, b"num_vis": 3072}, f)
