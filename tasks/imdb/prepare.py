"""Build the data of imdb from the Hub's parquet files of stanfordnlp/imdb (plain_text config).

Usage: python prepare.py OUTDIR DATADIR   (reads DATADIR/plain_text/{train,test}-00000-of-00001.parquet)

The 25,000 labelled training reviews are public (train.csv: text,label; 0 negative, 1 positive). The
25,000 test reviews are shuffled once, with a fixed seed, and the first 2 x 2,500 become dev and test
(a CPU budget: predicting all 25,000 with a fine-tuned encoder takes half an hour on 2 cores); their
texts are public, their labels hidden. The pretrained MiniLM encoder is copied to public/minilm.
"""

import sys
from pathlib import Path

from text_labels import copy_encoder, read_parquet, save_splits

SEED, MOST = 20261129, 2500
out, folder = Path(sys.argv[1]), Path(sys.argv[2]) / "plain_text"

train, test = (read_parquet(folder / f"{name}-00000-of-00001.parquet", ["text"], 2) for name in ("train", "test"))
half = save_splits(out, train, test, ["text"], SEED, MOST)
copy_encoder(out)
(out / "public" / "README.md").write_text(
    "IMDb movie reviews (Maas et al., 2011), sentiment: label 0 negative, 1 positive.\n\n"
    f"- train.csv: text,label ({len(train)} reviews)\n"
    f"- dev.csv: idx,text ({half} reviews, idx 0-{half - 1}); test.csv: idx,text ({half} reviews, idx "
    f"{half}-{2 * half - 1}), from IMDb's test reviews, without labels\n"
    "- minilm/: the pretrained encoder all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384, uncased WordPiece), "
    "for AutoModelForSequenceClassification.from_pretrained('/data/minilm', num_labels=2)\n")
