"""Build the data of clrs: random weighted graphs and their Floyd-Warshall shortest-path predecessors.

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden; needs nothing else)

Graphs are undirected Erdos-Renyi graphs: each graph draws its edge probability p uniformly from
[0.1, 0.5], each pair of nodes is joined with probability p, and each edge weighs a number drawn uniformly
from [0.01, 1) (stored as float32; the targets are computed from exactly the stored weights). As in CLRS,
training graphs are small (16 nodes) and dev and test graphs four times larger (64 nodes): the task is to
generalise out of distribution.

The target pi[i, j] is the node before j on a shortest path from i to j (the predecessor matrix of
Floyd-Warshall, CLRS 3rd ed. section 25.2); pi[i, i] = i, and pi[i, j] = -1 when j cannot be reached
from i. With continuous weights shortest paths are unique (ties have probability zero).
"""

import sys
from pathlib import Path

import numpy as np

SEED = 20261129
SPLITS = {"train": (1000, 16), "dev": (8, 64), "test": (8, 64)}  # graphs, nodes


def graphs(rng, count, n):
    """(adjacency bool, weights float32) of ``count`` graphs of ``n`` nodes; weight 0 where no edge."""
    p = rng.uniform(0.1, 0.5, size=(count, 1, 1))
    upper = np.triu(rng.random((count, n, n)) < p, k=1)
    adjacency = upper | upper.transpose(0, 2, 1)
    weights = np.triu(rng.uniform(0.01, 1.0, size=(count, n, n)), k=1).astype(np.float32)
    weights = np.where(adjacency, weights + weights.transpose(0, 2, 1), 0).astype(np.float32)
    return adjacency, weights


def floyd_warshall(adjacency, weights):
    """(distances, predecessors, predecessors after each step k) for a batch of graphs."""
    count, n, _ = adjacency.shape
    eye = np.eye(n, dtype=bool)
    dist = np.where(adjacency, weights.astype(np.float64), np.inf)
    dist[:, eye] = 0.0
    pi = np.where(adjacency | eye, np.arange(n)[None, :, None], -1)  # pi[i, j] = i for an edge i-j
    steps = []
    for k in range(n):
        through = dist[:, :, k, None] + dist[:, None, k, :]  # i -> k -> j
        better = through < dist
        dist = np.where(better, through, dist)
        pi = np.where(better, pi[:, k, None, :], pi)  # the node before j on the path k -> j
        steps.append(pi.copy())
    return dist, pi, np.stack(steps, axis=1)


out = Path(sys.argv[1])
rng = np.random.default_rng(SEED)
for split, (count, n) in SPLITS.items():
    adjacency, weights = graphs(rng, count, n)
    dist, pi, steps = floyd_warshall(adjacency, weights)
    if split == "train":
        np.savez_compressed(out / "public" / "train.npz", adjacency=adjacency, weights=weights,
                            pi=pi.astype(np.int16), distances=dist.astype(np.float32),
                            hints_pi=steps.astype(np.int8))
    else:
        np.savez_compressed(out / "public" / f"{split}.npz", adjacency=adjacency, weights=weights)
        np.save(out / "hidden" / f"{split}_pi.npy", pi.astype(np.int16))
(out / "public" / "README.md").write_text(
    "Floyd-Warshall on random weighted undirected graphs (see the task description).\n\n"
    "- train.npz: adjacency (1000, 16, 16) bool, weights (1000, 16, 16) float32 (0 = no edge), pi (1000, 16, 16)\n"
    "  int16 (the predecessor of j on a shortest path from i; pi[i, i] = i; -1 = unreachable), distances\n"
    "  (1000, 16, 16) float32 (inf = unreachable), hints_pi (1000, 16, 16, 16) int8: pi after each step k of\n"
    "  Floyd-Warshall (paths whose intermediate nodes are all <= k)\n"
    "- dev.npz, test.npz: adjacency (8, 64, 64) bool and weights (8, 64, 64) float32, no targets\n")
