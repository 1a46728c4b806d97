"""Baseline for imdb: fine-tune the pretrained MiniLM encoder (/data/minilm) with a new two-class head,
briefly, on CPU: 150 steps of 16 reviews cut to their first 128 tokens, AdamW at a constant 5e-5.

Writes submission.csv (idx,0,1: the probabilities of negative and positive) for the dev reviews (idx
0 to n-1) and the test reviews (idx n to 2n-1). Run it in the notebook with `%run train.py`, or with
options: `%run train.py --steps 20 --max-length 64` (a quick run). The training loop is in finetune.py.
"""

import argparse

import finetune
import pandas as pd
import torch


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--max-length", type=int, default=128, help="tokens kept of each review")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.set_num_threads(2)  # the container's CPUs; a fixed count keeps results reproducible
    train = pd.read_csv("/data/train.csv")
    model, tokenizer = finetune.load("/data/minilm", num_labels=2)
    finetune.fit(model, tokenizer, train["text"].tolist(), train["label"].to_numpy(), steps=args.steps,
                 batch_size=args.batch_size, lr=args.lr, max_length=args.max_length, seed=args.seed)

    reviews = pd.concat([pd.read_csv("/data/dev.csv"), pd.read_csv("/data/test.csv")], ignore_index=True)
    probabilities = finetune.predict(model, tokenizer, reviews["text"].tolist(), max_length=args.max_length)
    submission = pd.DataFrame(probabilities, columns=["0", "1"])
    submission.insert(0, "idx", reviews["idx"])
    submission.to_csv("submission.csv", index=False)
    print(f"wrote submission.csv with {len(submission)} predictions")


if __name__ == "__main__":
    main()
