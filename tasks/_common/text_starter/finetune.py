"""Fine-tuning a pretrained encoder (here MiniLM, a small BERT) for text classification, on CPU.

Shared by the text classification tasks' train.py; import it in the notebook too (`import finetune`).

    model, tokenizer = finetune.load("/data/minilm", num_labels=2)
    finetune.fit(model, tokenizer, texts, labels, steps=150)
    probabilities = finetune.predict(model, tokenizer, other_texts)   # (n, num_labels) numpy array

A text is a string, or a (first, second) pair of strings for pair tasks (premise, hypothesis): the
tokenizer joins a pair as [CLS] first [SEP] second [SEP]. Batches are padded to their longest text only.
"""

import time

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer


def load(folder, num_labels):
    """The pretrained encoder with a new, randomly initialised classification head, and its tokenizer."""
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=num_labels)
    return model, tokenizer


def encode(tokenizer, texts, max_length):
    """Token ids and attention masks of a batch of texts (strings or pairs), truncated to max_length."""
    if texts and isinstance(texts[0], tuple | list):
        first, second = zip(*texts, strict=True)
        return tokenizer(list(first), list(second), truncation=True, max_length=max_length, padding=True,
                         return_tensors="pt")
    return tokenizer(list(texts), truncation=True, max_length=max_length, padding=True, return_tensors="pt")


def fit(model, tokenizer, texts, labels, steps, batch_size=16, lr=5e-5, max_length=128, warmup=0.0,
        decay=False, weight_decay=0.0, seed=0, log_every=25):
    """Train with AdamW for `steps` batches drawn from shuffled passes over the data. The learning rate
    rises linearly over the first `warmup` share of the steps and, with `decay`, falls linearly to zero."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    labels = torch.tensor(np.asarray(labels, dtype=np.int64))  # a copy: pandas arrays may be read-only
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    rise = max(1, int(warmup * steps))

    def factor(step):
        up = min(1.0, (step + 1) / rise) if warmup else 1.0
        return up * (max(0.0, (steps - step) / max(1, steps - rise)) if decay and step >= rise else 1.0)

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    order, at = rng.permutation(len(texts)), 0
    model.train()
    start, total, count = time.time(), 0.0, 0
    for step in range(steps):
        if at + batch_size > len(order):  # a new pass over the data
            order, at = rng.permutation(len(texts)), 0
        idx = order[at:at + batch_size]
        at += batch_size
        batch = encode(tokenizer, [texts[i] for i in idx], max_length)
        loss = model(**batch, labels=labels[idx]).loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        total, count = total + loss.item(), count + 1
        if (step + 1) % log_every == 0 or step + 1 == steps:
            print(f"step {step + 1}/{steps}: train loss {total / count:.4f} ({time.time() - start:.0f} s)", flush=True)
            total, count = 0.0, 0
    return model


def predict(model, tokenizer, texts, max_length=128, batch_size=64):
    """Class probabilities, shape (len(texts), num_labels). Texts are batched by length (less padding)."""
    model.eval()
    lengths = [len(t) if isinstance(t, str) else sum(map(len, t)) for t in texts]
    order = np.argsort(lengths, kind="stable")
    out = np.zeros((len(texts), model.config.num_labels), dtype=np.float64)
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            idx = order[i:i + batch_size]
            logits = model(**encode(tokenizer, [texts[j] for j in idx], max_length)).logits
            out[idx] = torch.softmax(logits.double(), dim=-1).numpy()
    return out


def accuracy(probabilities, labels):
    return float(np.mean(np.argmax(probabilities, axis=1) == np.asarray(labels)))
