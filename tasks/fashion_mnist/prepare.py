"""Build the data of fashion_mnist from the IDX files of Debian's dataset-fashion-mnist package.

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden)

The 60,000 training images and their labels are public. The 10,000 test images are shuffled once,
with a fixed seed, into dev (5,000) and test (5,000) halves: their images are public, their labels
hidden. Images are uint8 arrays of shape (n, 28, 28), labels uint8 in 0..9, all as .npy files.
"""

import gzip
import hashlib
import sys
from pathlib import Path

import numpy as np
from image_labels import save_splits

SOURCE = Path("/usr/share/datasets/fashion-mnist")
SHA256 = {
    "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
    "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
}
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
SEED = 20261128


def read_idx(name):
    """The array in one IDX file: a big-endian header (magic, dimensions), then uint8 data."""
    path = SOURCE / name
    if not path.exists():
        sys.exit(f"{path} is missing: install Debian's dataset-fashion-mnist (kernels/setup-host.sh does)")
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != SHA256[name]:
        sys.exit(f"{path} does not have the expected sha256 {SHA256[name]}")
    data = gzip.decompress(raw)
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


out = Path(sys.argv[1])
train_x, train_y = read_idx("train-images-idx3-ubyte.gz"), read_idx("train-labels-idx1-ubyte.gz")
test_x, test_y = read_idx("t10k-images-idx3-ubyte.gz"), read_idx("t10k-labels-idx1-ubyte.gz")
assert train_x.shape == (60000, 28, 28) and test_x.shape == (10000, 28, 28)
save_splits(out, train_x, train_y, test_x, test_y, SEED)
(out / "public" / "README.md").write_text(
    "Fashion-MNIST (Zalando Research, MIT licence): 28x28 grey-scale images of clothing, 10 classes.\n\n"
    "- train_images.npy (60000, 28, 28) uint8, train_labels.npy (60000,) uint8\n"
    "- dev_images.npy (5000, 28, 28): ids 0-4999; test_images.npy (5000, 28, 28): ids 5000-9999\n\n"
    "Classes: " + ", ".join(f"{i} {name}" for i, name in enumerate(CLASSES)) + "\n")
