"""Write a synthetic stand-in for stanfordnlp/imdb's parquet files: the same paths and columns (text
string, label int64), 160 training and 120 test "reviews" of filler words in which positive or negative
words (a majority of one kind decides the label) are scattered, some past the 128th token. For tests of
the loader, baseline and grader; never a real score.

Usage: python standin.py FOLDER   (writes FOLDER/plain_text/{train,test,unsupervised}-00000-of-00001.parquet)
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(11)
FILLER = ("the film story actor plot scene director camera music cast script ending character screen hour "
          "minute year movie show role night friend city house road dialogue sequel studio").split()
GLUE = "and of a in was it this that with but as for on".split()
CUES = {1: "wonderful brilliant superb moving delightful gripping charming beautiful".split(),
        0: "awful boring dreadful tedious clumsy dull terrible pointless".split()}


def review(label):
    words = [rng.choice(GLUE) if rng.random() < 0.35 else rng.choice(FILLER) for _ in range(rng.integers(30, 220))]
    strong = int(rng.integers(2, 4))
    for kind, count in ((label, strong), (1 - label, int(rng.integers(0, strong)))):
        for _ in range(count):
            words.insert(int(rng.integers(0, len(words) + 1)), rng.choice(CUES[kind]))
    return " ".join(words).capitalize() + "."


def frame(n):
    labels = rng.integers(0, 2, size=n)
    return pd.DataFrame({"text": [review(int(y)) for y in labels], "label": labels.astype(np.int64)})


folder = Path(sys.argv[1]) / "plain_text"
folder.mkdir(parents=True, exist_ok=True)
frame(160).to_parquet(folder / "train-00000-of-00001.parquet", index=False)
frame(120).to_parquet(folder / "test-00000-of-00001.parquet", index=False)
unlabelled = frame(20).assign(label=np.int64(-1))  # the Hub's unsupervised split: label -1
unlabelled.to_parquet(folder / "unsupervised-00000-of-00001.parquet", index=False)
