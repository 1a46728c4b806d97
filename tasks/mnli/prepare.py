"""Build the data of mnli from the Hub's parquet files of nyu-mll/glue (mnli config).

Usage: python prepare.py OUTDIR DATADIR   (reads DATADIR/mnli/{train,validation_matched}-00000-of-00001.parquet)

Training pairs: a fixed-seed sample of 50,000 of MultiNLI's 392,702 (a CPU budget; more would not be
read in an episode anyway), public with their labels (train.csv: premise,hypothesis,label). The 9,815
matched validation pairs (GLUE's test labels are private) are shuffled once, with a fixed seed, into
dev and test halves; their texts are public, their labels hidden. Labels: 0 entailment, 1 neutral,
2 contradiction. The pretrained MiniLM encoder is copied to public/minilm.
"""

import sys
from pathlib import Path

from text_labels import copy_encoder, read_parquet, save_splits

SEED, TRAIN, MOST = 20261129, 50_000, 5_000
COLUMNS = ["premise", "hypothesis"]
out, folder = Path(sys.argv[1]), Path(sys.argv[2]) / "mnli"

train, validation = (read_parquet(folder / f"{name}-00000-of-00001.parquet", COLUMNS, 3)
                     for name in ("train", "validation_matched"))
if len(train) > TRAIN:
    train = train.sample(n=TRAIN, random_state=SEED).reset_index(drop=True)
half = save_splits(out, train, validation, COLUMNS, SEED, MOST)
copy_encoder(out)
(out / "public" / "README.md").write_text(
    "MultiNLI (Williams et al., 2018), as in GLUE: does the premise entail the hypothesis? label 0 entailment, "
    "1 neutral, 2 contradiction.\n\n"
    f"- train.csv: premise,hypothesis,label ({len(train)} pairs sampled from MultiNLI's training set)\n"
    f"- dev.csv: idx,premise,hypothesis ({half} pairs, idx 0-{half - 1}); test.csv: idx,premise,hypothesis "
    f"({half} pairs, idx {half}-{2 * half - 1}), from the matched validation set, without labels\n"
    "- minilm/: the pretrained encoder all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384, uncased WordPiece), "
    "for AutoModelForSequenceClassification.from_pretrained('/data/minilm', num_labels=3)\n")
