"""Grade submission.csv (record_id,encoded_pixels) against the hidden masks of one split: global Dice.

encoded_pixels is Kaggle's run-length encoding: space-separated pairs "start length", pixels numbered
from 1 top to bottom, then left to right (column-major); "-" is an empty mask. Pairs must be sorted,
must not overlap and must stay inside the image. Global Dice is 2|X & Y| / (|X| + |Y|) over all pixels of
all the split's records (1 when both are empty). Only the split's record ids are read.
"""

import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import fail, in_order, parse_args, read_predictions, report, require  # noqa: E402


def runs(text):
    """The (starts, lengths) of one encoded mask, checked for form and order; starts are 0-based."""
    if text == "-":
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    parts = text.split()
    numbers = all(p.isascii() and p.isdigit() and len(p) < 12 for p in parts)
    if not parts or len(parts) % 2 or not numbers:
        raise ValueError('it must be "-" or pairs of positive whole numbers "start length"')
    values = np.array([int(p) for p in parts], dtype=np.int64)
    starts, lengths = values[0::2] - 1, values[1::2]
    if (starts < 0).any() or (lengths < 1).any():
        raise ValueError("starts and lengths must be at least 1")
    if (starts[1:] < starts[:-1] + lengths[:-1]).any():
        raise ValueError("pairs must be sorted by start and must not overlap")
    return starts, lengths


def decode(starts, lengths, shape):
    pixels = np.zeros(shape[0] * shape[1], np.uint8)
    for start, length in zip(starts.tolist(), lengths.tolist(), strict=True):
        pixels[start:start + length] = 1
    return pixels.reshape(shape, order="F")


def main():
    args = parse_args()
    with np.load(Path(args.hidden) / f"{args.split}_masks.npz", allow_pickle=False) as f:
        truth = {ident: f[ident] for ident in sorted(f.files)}
    path = require(args.submission, "submission.csv", "hold columns record_id,encoded_pixels (see baseline.py)")
    predicted = in_order(read_predictions(path, "record_id", "encoded_pixels", runs), list(truth), "record_id",
                         args.split)
    both = total = 0
    for (ident, mask), (starts, lengths) in zip(truth.items(), predicted, strict=True):
        if len(starts) and starts[-1] + lengths[-1] > mask.size:
            fail(f"the encoded_pixels of record_id {ident} run past the image's {mask.size} pixels")
        guess = decode(starts, lengths, mask.shape)
        both += int(np.sum(guess & mask))
        total += int(guess.sum()) + int(mask.sum())
    report({"dice": round(2 * both / total, 5) if total else 1.0, "records": len(truth)})


if __name__ == "__main__":
    main()
