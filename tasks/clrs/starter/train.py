"""Baseline for clrs: a small message-passing network that predicts Floyd-Warshall's predecessor pointers.

For each source node s the network keeps a state per node v, h[s, v], started from whether v is s; each of
its few steps sends a message along every edge u-v, made from h[s, u], h[s, v] and the edge's weight, and
averages the messages a node receives. The pointer pi[s, j] is then chosen among j's neighbours (and j
itself) by a score of h[s, j], h[s, k] and the weight of k-j: a softmax over the candidates, trained with
cross-entropy on the training graphs (16 nodes), applied to the dev and test graphs (64 nodes).

Writes predictions.npz with arrays dev (8, 64, 64) and test (8, 64, 64). Run it with `%run train.py`,
or with options: `%run train.py --epochs 1 --graphs 100`.
"""

import argparse
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class PointerNet(nn.Module):
    def __init__(self, hidden=32, steps=3):
        super().__init__()
        self.steps = steps
        self.start = nn.Linear(1, hidden)
        # messages and pointer scores are one hidden layer over (sender, receiver, weight); their first layer
        # is split by input so the (source, sender, receiver) tensor is built only once, by broadcasting
        self.send, self.receive = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)
        self.weight = nn.Linear(1, hidden)
        self.update = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, hidden))
        self.node, self.other = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)
        self.edge = nn.Linear(1, hidden)
        self.score = nn.Linear(hidden, 1)

    def forward(self, adjacency, weights, sources):
        """Logits (graphs, source s, node j, candidate k) of pi[s, j] = k for the given sources (graphs, m);
        -inf where k is not a candidate."""
        n = adjacency.shape[1]
        eye = torch.eye(n, dtype=torch.bool)
        h = self.start((torch.arange(n) == sources.unsqueeze(-1)).float().unsqueeze(-1))  # h[b, s, v]
        edges = adjacency.unsqueeze(1).unsqueeze(-1)  # (b, 1, u, v, 1)
        degree = adjacency.sum(1).clamp(min=1).unsqueeze(1).unsqueeze(-1)  # (b, 1, v, 1)
        w = self.weight(weights.unsqueeze(-1)).unsqueeze(1)  # (b, 1, u, v, hidden)
        for _ in range(self.steps):
            messages = F.relu(self.send(h).unsqueeze(3) + self.receive(h).unsqueeze(2) + w)  # (b, s, u, v, hidden)
            incoming = (messages * edges).sum(2) / degree
            h = h + self.update(torch.cat([h, incoming], -1))
        e = self.edge(weights.transpose(1, 2).unsqueeze(-1)).unsqueeze(1)  # weight of k-j at [j, k]
        logits = self.score(F.relu(self.node(h).unsqueeze(3) + self.other(h).unsqueeze(2) + e)).squeeze(-1)
        candidates = (adjacency.transpose(1, 2) | eye).unsqueeze(1)  # k is j's neighbour, or j itself
        return logits.masked_fill(~candidates, float("-inf"))


def load(split):
    with np.load(f"/data/{split}.npz") as data:
        return {key: torch.from_numpy(data[key]) for key in data.files}


def predict(model, graphs, batch=1):
    model.eval()
    with torch.no_grad():
        adjacency, weights = graphs["adjacency"], graphs["weights"]
        every = torch.arange(adjacency.shape[1]).expand(batch, -1)
        out = [model(adjacency[i:i + batch], weights[i:i + batch], every[:len(adjacency[i:i + batch])]).argmax(-1)
               for i in range(0, len(adjacency), batch)]
    return torch.cat(out).numpy().astype(np.int16)


def accuracy(predicted, pi):
    reachable = pi >= 0
    return float((predicted == pi)[reachable].mean())


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--graphs", type=int, default=900, help="train on the first N graphs only")
    parser.add_argument("--sources", type=int, default=4, help="sources per training graph and step")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.003)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(2)  # the container's CPUs; a fixed count keeps results reproducible
    train = load("train")
    held = 100  # the last training graphs, to report accuracy on graphs the model has not seen
    adjacency, weights, pi = train["adjacency"], train["weights"], train["pi"].long()
    model = PointerNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    generator = torch.Generator().manual_seed(args.seed)
    for epoch in range(args.epochs):
        model.train()
        start, total = time.time(), 0.0
        order = torch.randperm(min(args.graphs, len(pi) - held), generator=generator)
        for i in range(0, len(order), args.batch_size):
            idx = order[i:i + args.batch_size]
            # a few sources per graph: a quarter of the work, and the graphs still vary
            sources = torch.rand(len(idx), pi.shape[1], generator=generator).argsort(1)[:, :args.sources]
            logits = model(adjacency[idx], weights[idx], sources)
            target = pi[idx].gather(1, sources.unsqueeze(-1).expand(-1, -1, pi.shape[2]))
            reachable = target >= 0
            loss = F.cross_entropy(logits[reachable], target[reachable])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        score = accuracy(predict(model, {"adjacency": adjacency[-held:], "weights": weights[-held:]}, 50),
                         pi[-held:].numpy())
        print(f"epoch {epoch + 1}: train loss {total / len(order):.4f}, held-out pointer accuracy {score:.4f} "
              f"({time.time() - start:.0f} s)")

    np.savez("predictions.npz", dev=predict(model, load("dev")), test=predict(model, load("test")))
    print("wrote predictions.npz (dev and test predecessor matrices)")


if __name__ == "__main__":
    main()
