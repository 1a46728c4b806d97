# Reference solution for cifar10, as notebook cells: a VGG-style CNN (three stages of two batch-normed
# convolutions), SGD with Nesterov momentum and a one-cycle schedule, random crops and flips, 10 epochs.
# %%
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
MEAN = torch.tensor([125.3, 123.0, 113.9]).view(1, 3, 1, 1)
STD = torch.tensor([63.0, 62.1, 66.7]).view(1, 3, 1, 1)


def stage(cin, cout):
    conv = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
    return nn.Sequential(*conv, nn.MaxPool2d(2))


model = nn.Sequential(stage(3, 32), stage(32, 64), stage(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                      nn.Linear(128, 10))


def normalised(images):
    return (torch.from_numpy(images).permute(0, 3, 1, 2).float() - MEAN) / STD


def crop_and_flip(x, gen):
    x = torch.where(torch.rand(len(x), 1, 1, 1, generator=gen) < 0.5, x.flip(3), x)
    dx, dy = torch.randint(0, 9, (2,), generator=gen).tolist()
    return F.pad(x, (4, 4, 4, 4))[:, :, dy:dy + 32, dx:dx + 32]


def fit(epochs, limit=None, batch=128, lr=0.1):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    images = np.load("/data/train_images.npy")[:limit]
    labels = torch.from_numpy(np.load("/data/train_labels.npy")[:limit].astype(np.int64))
    steps = epochs * -(-len(images) // batch)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps)
    for epoch in range(epochs):
        model.train()
        for i, idx in enumerate(torch.randperm(len(images), generator=gen).split(batch)):
            loss = F.cross_entropy(model(crop_and_flip(normalised(images[idx.numpy()]), gen)), labels[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        print(f"epoch {epoch + 1}: last loss {loss.item():.3f}")


def write_submission():
    model.eval()
    images = np.concatenate([np.load("/data/dev_images.npy"), np.load("/data/test_images.npy")])
    with torch.no_grad():
        labels = torch.cat([model(normalised(images[i:i + 500])).argmax(1) for i in range(0, len(images), 500)])
    pd.DataFrame({"id": np.arange(len(images)), "label": labels.numpy()}).to_csv("submission.csv", index=False)
# %%
fit(epochs=10)
write_submission()
# %%
%validate
# %%
%submit
