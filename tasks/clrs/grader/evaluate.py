"""Grade predictions.npz against the hidden Floyd-Warshall predecessors of one split: the accuracy of the
predicted pointers pi[i, j] over every pair (i, j) with j reachable from i (pairs i = i included, as in
CLRS's own score). Unreachable pairs are not scored but must still hold a value in -1 .. n-1."""

import os
import sys
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import fail, parse_args, report, require  # noqa: E402

MAX_ARRAY = 64 * 2**20  # bytes an array may unpack to: refuses archives that inflate far past their size


def predictions(path, split, shape):
    """The split's array from the submitted archive, or an invalid-submission report naming the fault."""
    try:
        with zipfile.ZipFile(path) as archive:
            sizes = {info.filename: info.file_size for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError) as exc:
        fail(f"predictions.npz is not an .npz archive (np.savez): {exc}")
    if f"{split}.npy" not in sizes:
        fail(f"predictions.npz has no array {split!r}; it has {sorted(sizes)[:10]} (save it with "
             "np.savez('predictions.npz', dev=..., test=...))")
    if sizes[f"{split}.npy"] > MAX_ARRAY:
        fail(f"the array {split!r} of predictions.npz unpacks to {sizes[f'{split}.npy']} bytes; "
             f"{split} needs {np.prod(shape)} integers")
    try:
        with np.load(path, allow_pickle=False) as archive:
            value = archive[split]
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        fail(f"the array {split!r} of predictions.npz cannot be read (numbers only, no objects): {exc}")
    if value.dtype.kind not in "iu":
        fail(f"the array {split!r} has dtype {value.dtype}; it must hold integers (node ids)")
    if value.shape != shape:
        fail(f"the array {split!r} has shape {value.shape}; it must be {shape} (graphs, source i, node j)")
    n = shape[-1]
    if value.size and (value.min() < -1 or value.max() > n - 1):
        fail(f"the array {split!r} holds values outside -1 .. {n - 1} (node ids of {n}-node graphs)")
    return value


def main():
    args = parse_args()
    truth = np.load(Path(args.hidden) / f"{args.split}_pi.npy", allow_pickle=False)
    path = require(args.submission, "predictions.npz", "hold arrays dev and test of predecessor node ids "
                   "(see train.py)")
    predicted = predictions(path, args.split, truth.shape)
    reachable = truth >= 0
    report({"accuracy": round(float(np.mean(predicted[reachable] == truth[reachable])), 5),
            "pointers": int(reachable.sum()), "graphs": len(truth)})


if __name__ == "__main__":
    main()
