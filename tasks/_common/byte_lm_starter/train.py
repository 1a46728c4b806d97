"""Baseline of the byte-level language modelling tasks: train the GPT of model.py on /data/train.txt, on CPU.

Holds out the last 5% of train.txt to report bits per byte, and saves the model to checkpoint/.
Run it in the notebook with `%run train.py`; `%run train.py --iters 200` trains for fewer steps.
"""

import argparse
import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from model import GPT


def batches(data, block, batch, generator):
    """Random (input, target) windows of ``data``, a uint8 tensor."""
    while True:
        starts = torch.randint(len(data) - block - 1, (batch,), generator=generator)
        chunk = torch.stack([data[s:s + block + 1] for s in starts.tolist()]).long()
        yield chunk[:, :-1], chunk[:, 1:]


@torch.no_grad()
def bits_per_byte(model, data, block, n_batches=20, batch=32):
    """Mean loss on fixed windows of ``data``, in bits per byte."""
    model.eval()
    windows = batches(data, block, batch, torch.Generator().manual_seed(1))
    losses = []
    for _ in range(n_batches):
        x, y = next(windows)
        losses.append(F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item())
    model.train()
    return float(np.mean(losses)) / math.log(2)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--iters", type=int, default=500)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--block", type=int, default=128)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="checkpoint")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(2)  # the container's CPUs; a fixed count keeps results reproducible
    text = torch.frombuffer(bytearray(open("/data/train.txt", "rb").read()), dtype=torch.uint8)
    cut = int(len(text) * 0.95)
    train, held_out = text[:cut], text[cut:]
    model = GPT(args.block, args.layers, args.heads, args.dim, args.dropout)
    print(f"{sum(p.numel() for p in model.parameters()) / 1e6:.2f} M parameters")
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)

    def lr_at(step):  # linear warm-up, then cosine decay to a tenth
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        progress = (step - args.warmup) / max(1, args.iters - args.warmup)
        return args.lr * (0.1 + 0.45 * (1 + math.cos(math.pi * progress)))

    data = batches(train, args.block, args.batch, torch.Generator().manual_seed(args.seed))
    start = time.time()
    for step in range(args.iters):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step)
        x, y = next(data)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if (step + 1) % max(1, args.iters // 10) == 0 or step + 1 == args.iters:
            print(f"step {step + 1}/{args.iters}: train {loss.item() / math.log(2):.3f} bits/byte "
                  f"({time.time() - start:.0f} s)")
    print(f"held-out: {bits_per_byte(model, held_out, args.block):.3f} bits/byte")
    model.save(args.out)
    print(f"saved {args.out}/")


if __name__ == "__main__":
    main()
