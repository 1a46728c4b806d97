"""Build the data of babylm from the BabyLM 2023 strict-small release (cambridge-climb/BabyLM on the Hub).

Usage: python prepare.py OUTDIR DATADIR   (reads DATADIR/original/{10M,dev,test}/<domain>.txt; writes
OUTDIR/public and OUTDIR/hidden)

The 10M-word training files of the ten domains, one after the other in a fixed order, make the public
train.txt; the release's own dev and test files, put together the same way, are the hidden dev and test
texts (as in MLAgentBench, whose score is perplexity on that test set). From each hidden text the grader
reads fixed windows (offsets drawn here, with a fixed seed).
"""

import random
import sys
from pathlib import Path

from byte_lm import write_split, write_windows

DOMAINS = ["aochildes", "bnc_spoken", "cbt", "children_stories", "gutenberg", "open_subtitles", "qed",
           "simple_wikipedia", "switchboard", "wikipedia"]
SEED = 20261129


def joined(folder):
    """The ten domain files of ``folder``, each ending in a newline, one after the other."""
    missing = [d for d in DOMAINS if not (folder / f"{d}.txt").is_file()]
    if missing:
        sys.exit(f"{folder} lacks {', '.join(f'{d}.txt' for d in missing)}: it must hold the ten domain files")
    return b"".join((folder / f"{d}.txt").read_bytes().rstrip(b"\n") + b"\n" for d in DOMAINS)


out, data = Path(sys.argv[1]), Path(sys.argv[2]) / "original"
train = joined(data / "10M")
(out / "public" / "train.txt").write_bytes(train)
rng = random.Random(SEED)
write_windows(out, {name: write_split(out, name, joined(data / name), rng) for name in ("dev", "test")})
(out / "public" / "README.md").write_text(
    "BabyLM 2023 strict-small training data (about 10 million words of English: child-directed speech, "
    "children's books, dialogue, subtitles, Wikipedia; each source under its own terms), as UTF-8 bytes.\n\n"
    f"train.txt ({len(train) / 1e6:.1f} MB): the files of the ten domains one after the other, in this order: "
    f"{', '.join(DOMAINS)}. The hidden dev and test texts are the release's dev and test sets, the same "
    "domains in the same proportions.\n")
