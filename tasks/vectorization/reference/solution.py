# Reference solution for vectorization, as notebook cells: im2col through a strided window view,
# then one tensordot for the whole batch.
# %%
%%writefile conv.py
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d_forward(x, w, b, stride=1, padding=0):
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    k = w.shape[-1]
    windows = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]  # n, c, oh, ow, k, k
    out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3]))  # n, oh, ow, out_c
    return (out + b).transpose(0, 3, 1, 2).astype(x.dtype)
# %%
%validate
# %%
%submit
