"""Baseline for ogbn_arxiv: a two-layer MLP on each paper's own features; the citation graph is not used.

Trains full-batch on the labelled papers of /data (a tenth held out to report accuracy), then writes
submission.csv (node,label) for every dev and test paper. Run it with `%run train.py`, or with options:
`%run train.py --epochs 20`.
"""

import argparse

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(2)  # the container's CPUs; a fixed count keeps results reproducible
    x = torch.from_numpy(np.load("/data/features.npy"))
    train = torch.from_numpy(np.load("/data/train_nodes.npy").astype(np.int64))
    y = torch.from_numpy(np.load("/data/train_labels.npy").astype(np.int64))
    held = torch.randperm(len(train), generator=torch.Generator().manual_seed(args.seed)) < len(train) // 10

    model = nn.Sequential(nn.Linear(x.shape[1], args.hidden), nn.BatchNorm1d(args.hidden), nn.ReLU(),
                          nn.Dropout(0.5), nn.Linear(args.hidden, 40))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(args.epochs):
        model.train()
        loss = F.cross_entropy(model(x[train[~held]]), y[~held])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (epoch + 1) % 20 == 0 or epoch + 1 == args.epochs:
            model.eval()
            with torch.no_grad():
                accuracy = (model(x[train[held]]).argmax(1) == y[held]).float().mean().item()
            print(f"epoch {epoch + 1}: train loss {loss.item():.4f}, held-out accuracy {accuracy:.4f}")

    nodes = np.concatenate([np.load("/data/dev_nodes.npy"), np.load("/data/test_nodes.npy")])
    model.eval()
    with torch.no_grad():
        labels = model(x[torch.from_numpy(nodes.astype(np.int64))]).argmax(1).numpy()
    pd.DataFrame({"node": nodes, "label": labels}).to_csv("submission.csv", index=False)
    print(f"wrote submission.csv with {len(nodes)} predictions")


if __name__ == "__main__":
    main()
