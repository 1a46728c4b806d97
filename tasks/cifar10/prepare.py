"""Build the data of cifar10 from the python version of CIFAR-10 (what torchvision downloads).

Usage: python prepare.py OUTDIR DATADIR   (reads DATADIR/cifar-10-batches-py; writes OUTDIR/public, OUTDIR/hidden)

The 50,000 training images and labels are public. The 10,000 test images are shuffled once, with a
fixed seed, into dev and test halves: their images are public, their labels hidden. Images are
uint8 arrays of shape (n, 32, 32, 3) (height, width, RGB), labels uint8 in 0..9, as .npy files.
"""

import pickle
import sys
from pathlib import Path

import numpy as np
from image_labels import save_splits

SEED = 20261128


def read_batch(path):
    """(images, labels) of one pickled batch: b'data' is (n, 3072) uint8, the red, green and blue planes."""
    if not path.is_file():
        sys.exit(f"{path} is missing: the folder must hold data_batch_1 ... data_batch_5 and test_batch")
    with open(path, "rb") as f:
        batch = pickle.load(f, encoding="bytes")
    images = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), np.asarray(batch[b"labels"], dtype=np.uint8)


out, folder = Path(sys.argv[1]), Path(sys.argv[2]) / "cifar-10-batches-py"
parts = [read_batch(folder / f"data_batch_{i}") for i in range(1, 6)]
train_x, train_y = np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts])
test_x, test_y = read_batch(folder / "test_batch")
with open(folder / "batches.meta", "rb") as f:
    classes = [name.decode() for name in pickle.load(f, encoding="bytes")[b"label_names"]]
half = save_splits(out, train_x, train_y, test_x, test_y, SEED)
(out / "public" / "README.md").write_text(
    "CIFAR-10 (Krizhevsky, 2009): 32x32 colour images, 10 classes.\n\n"
    f"- train_images.npy ({len(train_x)}, 32, 32, 3) uint8, train_labels.npy ({len(train_x)},) uint8\n"
    f"- dev_images.npy ({half}, 32, 32, 3): ids 0-{half - 1}; test_images.npy ({half}, 32, 32, 3): ids "
    f"{half}-{2 * half - 1}\n\nClasses: " + ", ".join(f"{i} {name}" for i, name in enumerate(classes)) + "\n")
