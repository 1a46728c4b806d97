"""Write a synthetic stand-in for OGB's ogbn-arxiv raw files: the same names, headerless csv.gz formats and
column counts, random content (2,000 papers, 40 classes). Papers mostly cite papers of their own class and
their features carry a weak class signal, so that averaging over the citation graph helps (as on the real
graph). For tests of the loader, baseline and grader; never a real score.

Usage: python standin.py FOLDER   (writes FOLDER/ogbn_arxiv/raw and FOLDER/ogbn_arxiv/split/time)
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(5)
NODES, CLASSES, FEATURES, CITES = 2000, 40, 128, 6
root = Path(sys.argv[1]) / "ogbn_arxiv"
(root / "raw").mkdir(parents=True, exist_ok=True)
(root / "split" / "time").mkdir(parents=True, exist_ok=True)

labels = rng.integers(0, CLASSES, NODES)
years = rng.choice(np.arange(1995, 2021), NODES, p=np.r_[np.full(23, 0.55 / 23), 0.18, 0.14, 0.13])
centres = rng.normal(size=(CLASSES, FEATURES))
features = (0.15 * centres[labels] + rng.normal(size=(NODES, FEATURES))).astype(np.float32)
members = [np.flatnonzero(labels == c) for c in range(CLASSES)]
edges = []
for node in range(NODES):
    for _ in range(CITES):
        same = rng.random() < 0.8
        cited = rng.choice(members[labels[node]]) if same else rng.integers(NODES)
        if cited != node:
            edges.append((node, cited))
edges = np.unique(np.array(edges), axis=0)


def write(path, table):
    # gzip's header holds a time unless told otherwise: mtime 0 keeps equal stand-ins byte-identical
    pd.DataFrame(table).to_csv(path, header=False, index=False, compression={"method": "gzip", "mtime": 0},
                               float_format="%.6f")


write(root / "raw" / "node-feat.csv.gz", features)
write(root / "raw" / "node-label.csv.gz", labels[:, None])
write(root / "raw" / "node_year.csv.gz", years[:, None])
write(root / "raw" / "edge.csv.gz", edges)
write(root / "raw" / "num-node-list.csv.gz", [[NODES]])
write(root / "raw" / "num-edge-list.csv.gz", [[len(edges)]])
for name, chosen in (("train", years <= 2017), ("valid", years == 2018), ("test", years >= 2019)):
    write(root / "split" / "time" / f"{name}.csv.gz", np.flatnonzero(chosen)[:, None])
