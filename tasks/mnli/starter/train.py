"""Baseline for mnli: fine-tune the pretrained MiniLM encoder (/data/minilm) with a new three-class head,
briefly, on CPU: 300 steps of 32 (premise, hypothesis) pairs, each pair cut to 128 tokens, AdamW at a
constant 3e-5 (about a fifth of an epoch of train.csv).

Writes submission.csv (idx,label: 0 entailment, 1 neutral, 2 contradiction) for the dev pairs (idx 0 to
n-1) and the test pairs (idx n to 2n-1). Run it in the notebook with `%run train.py`, or with options:
`%run train.py --steps 30` (a quick run). The training loop is in finetune.py.
"""

import argparse

import finetune
import pandas as pd
import torch


def pairs(frame):
    return list(zip(frame["premise"].astype(str), frame["hypothesis"].astype(str), strict=True))


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--max-length", type=int, default=128, help="tokens kept of each pair")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.set_num_threads(2)  # the container's CPUs; a fixed count keeps results reproducible
    train = pd.read_csv("/data/train.csv", keep_default_na=False)
    model, tokenizer = finetune.load("/data/minilm", num_labels=3)
    finetune.fit(model, tokenizer, pairs(train), train["label"].to_numpy(), steps=args.steps,
                 batch_size=args.batch_size, lr=args.lr, max_length=args.max_length, seed=args.seed)

    rows = pd.concat([pd.read_csv(f"/data/{split}.csv", keep_default_na=False) for split in ("dev", "test")],
                     ignore_index=True)
    probabilities = finetune.predict(model, tokenizer, pairs(rows), max_length=args.max_length)
    pd.DataFrame({"idx": rows["idx"], "label": probabilities.argmax(axis=1)}).to_csv("submission.csv", index=False)
    print(f"wrote submission.csv with {len(rows)} predictions")


if __name__ == "__main__":
    main()
