"""Baseline for cifar10: a small two-convolution CNN trained with SGD and momentum, on CPU.

Trains on /data/train_images.npy and writes submission.csv (id,label) for the dev images (ids
0 to n-1) and the test images (ids n to 2n-1). Run it in the notebook with `%run train.py`, or with
options: `%run train.py --epochs 1 --limit 5000` (one epoch, the first 5,000 training images).
"""

import argparse
import time

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, kernel_size=5)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x.flatten(1))))))


def as_tensor(images):
    """uint8 (n, 32, 32, 3) -> float32 (n, 3, 32, 32), each channel scaled to [-1, 1]."""
    return torch.from_numpy(images).permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0)


def predict(model, images, batch=1000):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(as_tensor(images[i:i + batch])).argmax(1) for i in range(0, len(images), batch)])


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images only")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(2)  # the container's CPUs; a fixed count keeps results reproducible
    x = np.load("/data/train_images.npy")[: args.limit]
    y = torch.from_numpy(np.load("/data/train_labels.npy")[: args.limit].astype(np.int64))
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    generator = torch.Generator().manual_seed(args.seed)
    for epoch in range(args.epochs):
        model.train()
        start, total = time.time(), 0.0
        order = torch.randperm(len(x), generator=generator)
        for i in range(0, len(x), args.batch_size):
            idx = order[i:i + args.batch_size]
            loss = F.cross_entropy(model(as_tensor(x[idx.numpy()])), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}: train loss {total / len(x):.4f} ({time.time() - start:.0f} s)")

    dev, test = np.load("/data/dev_images.npy"), np.load("/data/test_images.npy")
    labels = predict(model, np.concatenate([dev, test])).numpy()
    pd.DataFrame({"id": np.arange(len(labels)), "label": labels}).to_csv("submission.csv", index=False)
    print(f"wrote submission.csv with {len(labels)} predictions")


if __name__ == "__main__":
    main()
