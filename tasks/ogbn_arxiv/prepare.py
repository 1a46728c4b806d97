"""Build the data of ogbn_arxiv from OGB's raw files (the layout NodePropPredDataset leaves under its root).

Usage: python prepare.py OUTDIR DATADIR   (reads DATADIR/ogbn_arxiv/raw and DATADIR/ogbn_arxiv/split/time;
writes OUTDIR/public and OUTDIR/hidden)

OGB's own time split is kept: train (papers up to 2017) is public with its labels; OGB's valid (2018) is
our dev split and its test (2019 on) our test split; their node ids are public, their labels hidden. The
whole graph (every edge, feature and year) is public, as in OGB's transductive setting.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

CLASSES, FEATURES = 40, 128
out, root = Path(sys.argv[1]), Path(sys.argv[2]) / "ogbn_arxiv"


def read(path, dtype):
    """A headerless csv.gz as a 2-d array (OGB writes no header)."""
    if not path.is_file():
        sys.exit(f"{path} is missing: the data folder must hold OGB's ogbn_arxiv/raw and ogbn_arxiv/split/time")
    return pd.read_csv(path, compression="gzip", header=None, dtype=dtype).to_numpy()


raw = root / "raw"
nodes = int(read(raw / "num-node-list.csv.gz", np.int64)[0, 0])
features = read(raw / "node-feat.csv.gz", np.float32)
labels = read(raw / "node-label.csv.gz", np.int64)[:, 0]
years = read(raw / "node_year.csv.gz", np.int64)[:, 0]
edges = read(raw / "edge.csv.gz", np.int64)
if features.shape != (nodes, FEATURES) or labels.shape != (nodes,) or years.shape != (nodes,):
    sys.exit(f"{raw} does not describe {nodes} nodes with {FEATURES} features, a label and a year each")
if edges.ndim != 2 or edges.shape[1] != 2 or edges.min() < 0 or edges.max() >= nodes:
    sys.exit(f"{raw / 'edge.csv.gz'} must hold pairs of node ids 0-{nodes - 1}")
if labels.min() < 0 or labels.max() >= CLASSES:
    sys.exit(f"{raw / 'node-label.csv.gz'} has labels outside 0-{CLASSES - 1}")
split = {name: read(root / "split" / "time" / f"{file}.csv.gz", np.int64)[:, 0]
         for name, file in (("train", "train"), ("dev", "valid"), ("test", "test"))}
every = np.concatenate(list(split.values()))
if every.min() < 0 or every.max() >= nodes or len(np.unique(every)) != len(every):
    sys.exit(f"{root / 'split' / 'time'} must list distinct node ids 0-{nodes - 1}")

public, hidden = out / "public", out / "hidden"
np.save(public / "features.npy", features)
np.save(public / "edges.npy", edges.astype(np.int32))
np.save(public / "years.npy", years.astype(np.int16))
np.save(public / "train_labels.npy", labels[split["train"]].astype(np.uint8))
for name, ids in split.items():
    np.save(public / f"{name}_nodes.npy", ids.astype(np.int32))
    if name != "train":
        np.save(hidden / f"{name}_nodes.npy", ids.astype(np.int32))
        np.save(hidden / f"{name}_labels.npy", labels[ids].astype(np.uint8))
(public / "README.md").write_text(
    f"ogbn-arxiv (OGB): {nodes} arXiv CS papers, {len(edges)} citations, {CLASSES} subject classes.\n\n"
    f"- features.npy ({nodes}, {FEATURES}) float32: mean word2vec embedding of title and abstract\n"
    f"- edges.npy ({len(edges)}, 2) int32: citing paper, cited paper (directed)\n"
    f"- years.npy ({nodes},) int16: publication year\n"
    f"- train_nodes.npy ({len(split['train'])},) int32, train_labels.npy uint8 (0-{CLASSES - 1}): papers up to "
    "2017\n"
    f"- dev_nodes.npy ({len(split['dev'])},): 2018; test_nodes.npy ({len(split['test'])},): 2019 on; no labels\n")
