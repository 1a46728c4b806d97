"""A byte-level GPT (nanoGPT-style: pre-norm transformer blocks, learned positions, tied embeddings).

train.py trains it and saves checkpoint/ (config.json and model.pt, a state dict); the grader
calls `load("checkpoint")` once, then, byte after byte, `model.next_byte_probs(contexts)`: the
contexts are the bytes seen so far in each of its text windows, and the answer is one probability
distribution over the next byte (256 values, non-negative, summing to 1) per context.
"""

import json
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, dropout):
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d), nn.Dropout(dropout))

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=self.dropout if self.training else 0.0)
        x = x + self.proj(y.transpose(1, 2).reshape(b, t, d))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, block_size=128, layers=4, heads=4, dim=128, dropout=0.0):
        super().__init__()
        self.config = dict(block_size=block_size, layers=layers, heads=heads, dim=dim, dropout=dropout)
        self.block_size = block_size
        self.tok, self.pos = nn.Embedding(256, dim), nn.Embedding(block_size, dim)
        self.blocks = nn.ModuleList(Block(dim, heads, dropout) for _ in range(layers))
        self.ln = nn.LayerNorm(dim)
        self.apply(self._init)
        for name, p in self.named_parameters():
            if name.endswith("proj.weight") or name.endswith("mlp.2.weight"):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * layers))

    @staticmethod
    def _init(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx):
        """Logits (b, t, 256) of the byte after each position of idx (b, t)."""
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.ln(x) @ self.tok.weight.T

    def save(self, folder):
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / "config.json").write_text(json.dumps(self.config))
        torch.save(self.state_dict(), Path(folder) / "model.pt")

    @torch.no_grad()
    def next_byte_probs(self, contexts):
        """One distribution over the next byte per context (a list of bytes): an array (len(contexts), 256)."""
        self.eval()
        probs = np.full((len(contexts), 256), 1 / 256)  # no context: uniform
        rows = [i for i, c in enumerate(contexts) if c]
        if not rows:
            return probs
        crops = [contexts[i][-self.block_size:] for i in rows]
        lengths = torch.tensor([len(c) for c in crops])
        # Right-padded: causal attention keeps the padding out of the positions that are read.
        idx = torch.zeros(len(crops), int(lengths.max()), dtype=torch.long)
        for j, crop in enumerate(crops):
            idx[j, : len(crop)] = torch.tensor(list(crop))
        logits = self(idx)[torch.arange(len(crops)), lengths - 1]
        probs[rows] = F.softmax(logits.double(), dim=-1).numpy()
        return probs


def load(folder):
    """The model saved in folder (config.json, model.pt), ready for next_byte_probs."""
    config = json.loads((Path(folder) / "config.json").read_text())
    model = GPT(**config)
    model.load_state_dict(torch.load(Path(folder) / "model.pt", map_location="cpu", weights_only=True))
    return model.eval()
