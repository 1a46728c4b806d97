# Reference solution for identify_contrails, as notebook cells: a small fully convolutional network (dilated
# 3x3 convolutions, so it sees a streak's shape, not one pixel) on the false colour of the labelled frame and
# its change since the first frame, trained with a weighted cross-entropy plus soft Dice loss; the threshold
# is the one with the best global Dice on held-out training records.
# %%
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(0)
DATA = Path("/data")


def colour(record, t):
    b11, b14, b15 = (np.load(record / f"band_{b}.npy", mmap_mode="r")[..., t] for b in (11, 14, 15))
    return np.stack([(b15 - b14 + 4) / 6, (b14 - b11 + 4) / 9, (b14 - 243) / 60])


def features(record):
    """6 x H x W: the labelled frame's false colour and its change since the first frame (float16 to save memory)."""
    now = colour(record, 4)
    return np.concatenate([np.clip(now, 0, 1), now - colour(record, 0)]).astype(np.float16)


def block(cin, cout, dilation):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=dilation, dilation=dilation), nn.BatchNorm2d(cout), nn.ReLU())


model = nn.Sequential(block(6, 32, 1), block(32, 32, 2), block(32, 32, 4), block(32, 32, 1), nn.Conv2d(32, 1, 1))


def predict(x, batch=16):
    model.eval()
    with torch.no_grad():
        return torch.cat([torch.sigmoid(model(torch.from_numpy(x[i:i + batch]).float()))[:, 0]
                          for i in range(0, len(x), batch)]).numpy()


def dice(p, y):
    total = p.sum() + y.sum()
    return 2 * (p & y).sum() / total if total else 1.0


def fit(epochs, limit=1000, batch=8, lr=3e-3):
    global threshold
    records = sorted((DATA / "train").iterdir())[:limit]
    x = np.stack([features(r) for r in records])
    y = np.stack([np.load(r / "human_pixel_masks.npy")[..., 0] for r in records]).astype(np.float32)
    held = max(1, len(records) // 10)
    xt, yt = torch.from_numpy(x[held:]), torch.from_numpy(y[held:])
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for epoch in range(epochs):
        model.train()
        for idx in torch.randperm(len(xt)).split(batch):
            logits = model(xt[idx].float())[:, 0]
            p = torch.sigmoid(logits)
            soft_dice = 1 - 2 * (p * yt[idx]).sum() / (p.sum() + yt[idx].sum() + 1)
            loss = F.binary_cross_entropy_with_logits(logits, yt[idx], pos_weight=torch.tensor(4.0)) + soft_dice
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch + 1}: last loss {loss.item():.3f}")
    p, truth = predict(x[:held]), y[:held].astype(bool)
    threshold = max(np.linspace(0.1, 0.9, 17), key=lambda t: dice(p > t, truth))
    print(f"held-out Dice {dice(p > threshold, truth):.4f} at threshold {threshold:.2f}")


def rle(m):
    pixels = np.concatenate([[0], m.flatten(order="F").astype(np.int8), [0]])
    edges = np.flatnonzero(pixels[1:] != pixels[:-1]) + 1
    return " ".join(f"{s} {e - s}" for s, e in zip(edges[0::2], edges[1::2], strict=True)) or "-"


def write_submission():
    rows = []
    for split in ("dev", "test"):
        records = sorted((DATA / split).iterdir())
        for i in range(0, len(records), 64):  # a few records at a time: the full sets do not fit in memory
            chunk = records[i:i + 64]
            masks = predict(np.stack([features(r) for r in chunk])) > threshold
            rows += [(r.name, rle(m)) for r, m in zip(chunk, masks)]
    pd.DataFrame(rows, columns=["record_id", "encoded_pixels"]).to_csv("submission.csv", index=False)
# %%
fit(epochs=30)
write_submission()
# %%
%validate
# %%
%submit
