# Reference solution for fashion_mnist, as notebook cells: a deeper CNN (three conv blocks with batch
# norm, dropout), AdamW with a one-cycle schedule, label smoothing, flips and shifts; quick version for
# `tasks check --fast`: one epoch on 10,000 images, without augmentation.
# %%
import time

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(block(1, 32), nn.MaxPool2d(2), block(32, 64), nn.MaxPool2d(2),
                                      block(64, 128), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(128 * 3 * 3, 10))

    def forward(self, x):
        return self.head(self.features(x))


def as_tensor(images):
    return torch.from_numpy(images).float().div_(255.0).sub_(0.286).div_(0.353).unsqueeze(1)


def augment(x, generator):
    """Random horizontal flips and shifts of up to 2 pixels (one shift per batch)."""
    flip = torch.rand(len(x), generator=generator) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    dx, dy = torch.randint(0, 5, (2,), generator=generator).tolist()
    return F.pad(x, (2, 2, 2, 2), value=float(x.min()))[:, :, dy:dy + 28, dx:dx + 28]


def train(epochs, limit=None, batch=128, lr=3e-3, augmented=True, seed=0):
    torch.manual_seed(seed)
    images = np.load("/data/train_images.npy")[:limit]
    labels = torch.from_numpy(np.load("/data/train_labels.npy")[:limit].astype(np.int64))
    model = Net()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=5e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr,
                                                   total_steps=epochs * -(-len(images) // batch))
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        model.train()
        start = time.time()
        order = torch.randperm(len(images), generator=generator)
        for i in range(0, len(images), batch):
            idx = order[i:i + batch]
            x = as_tensor(images[idx.numpy()])
            x = augment(x, generator) if augmented else x
            loss = F.cross_entropy(model(x), labels[idx], label_smoothing=0.1)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        print(f"epoch {epoch + 1}: last loss {loss.item():.3f} ({time.time() - start:.0f} s)")
    return model


def write_submission(model):
    model.eval()
    images = np.concatenate([np.load("/data/dev_images.npy"), np.load("/data/test_images.npy")])
    with torch.no_grad():
        labels = torch.cat([model(as_tensor(images[i:i + 1000])).argmax(1) for i in range(0, len(images), 1000)])
    pd.DataFrame({"id": np.arange(len(images)), "label": labels.numpy()}).to_csv("submission.csv", index=False)
# %%
write_submission(train(epochs=1, limit=10000, augmented=False))
# %%
%validate
# %%
%submit
