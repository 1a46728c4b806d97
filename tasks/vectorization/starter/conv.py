"""Baseline: the forward pass of a 2-D convolution layer, written with Python loops.

x: (batch, in_channels, height, width); w: (out_channels, in_channels, k, k); b: (out_channels,).
Returns (batch, out_channels, out_h, out_w) with out_h = (height + 2 * padding - k) // stride + 1.
"""

import numpy as np


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    batch, _, height, width = x.shape
    out_channels, _, k, _ = w.shape
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out_h = (height + 2 * padding - k) // stride + 1
    out_w = (width + 2 * padding - k) // stride + 1
    out = np.zeros((batch, out_channels, out_h, out_w), dtype=x.dtype)
    for n in range(batch):
        for c in range(out_channels):
            for i in range(out_h):
                for j in range(out_w):
                    patch = x[n, :, i * stride:i * stride + k, j * stride:j * stride + k]
                    out[n, c, i, j] = np.sum(patch * w[c]) + b[c]
    return out
