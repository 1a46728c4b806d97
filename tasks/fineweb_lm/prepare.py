"""Build the data of fineweb_lm from one parquet shard of FineWeb's 10BT sample.

Usage: python prepare.py OUTDIR DATADIR   (reads DATADIR/sample/10BT/000_00000.parquet; writes OUTDIR/public
and OUTDIR/hidden)

A shard holds about a million web documents (2 GB); the task uses the first documents of it, read batch by
batch from the `text` column, up to SAMPLE bytes of UTF-8. With a fixed seed they are shuffled and dealt
out: a tenth of the bytes to the hidden dev text, a tenth to the hidden test text, the rest to the public
train.txt. Documents are separated by a blank line. From each hidden text the grader reads fixed windows
(offsets drawn here).
"""

import random
import sys
from pathlib import Path

import pyarrow.parquet as pq
from byte_lm import write_split, write_windows

SHARD = "sample/10BT/000_00000.parquet"
SAMPLE = 12_000_000
SEED = 20261129

out, path = Path(sys.argv[1]), Path(sys.argv[2]) / SHARD
shard = pq.ParquetFile(path)
if "text" not in shard.schema_arrow.names:
    sys.exit(f"{path} has no column 'text' (it has {shard.schema_arrow.names}): not a FineWeb shard")
docs, size = [], 0
for batch in shard.iter_batches(batch_size=1000, columns=["text"]):
    for text in batch.column(0).to_pylist():
        if text and size < SAMPLE:
            docs.append(text.strip().encode("utf-8"))
            size += len(docs[-1]) + 2
rng = random.Random(SEED)
rng.shuffle(docs)
parts, taken = {"dev": [], "test": [], "train": []}, 0
for doc in docs:
    parts["dev" if taken < size // 10 else "test" if taken < size // 5 else "train"].append(doc)
    taken += len(doc) + 2

(out / "public" / "train.txt").write_bytes(b"\n\n".join(parts["train"]) + b"\n")
write_windows(out, {name: write_split(out, name, b"\n\n".join(parts[name]) + b"\n", rng) for name in ("dev", "test")})
(out / "public" / "README.md").write_text(
    "FineWeb (HuggingFaceFW/fineweb, ODC-By 1.0; Common Crawl's terms of use apply): English web pages, "
    "cleaned and deduplicated, as UTF-8 bytes.\n\n"
    f"train.txt: {len(parts['train'])} documents ({len(b''.join(parts['train'])) / 1e6:.1f} MB of text), one after "
    "the other, separated by blank lines. The hidden dev and test texts are other documents of the same shard "
    f"({len(parts['dev'])} and {len(parts['test'])}).\n")
