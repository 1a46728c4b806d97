"""Write a synthetic stand-in for the BabyLM 2023 strict-small data as the Hub repository lays it out:
original/10M, original/dev and original/test, each with one text file per source domain (the same ten
names), holding English-like lines from a small grammar (about 200 KB in all; each domain's lines have
their own length), so that a byte-level model has something to learn. For tests of the loader, baseline
and grader; never a real score.

Usage: python standin.py FOLDER
"""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_common"))
from standin_text import paragraph  # noqa: E402

DOMAINS = ["aochildes", "bnc_spoken", "cbt", "children_stories", "gutenberg", "open_subtitles", "qed",
           "simple_wikipedia", "switchboard", "wikipedia"]
rng = random.Random(13)
for split, lines in (("10M", 80), ("dev", 30), ("test", 30)):
    folder = Path(sys.argv[1]) / "original" / split
    folder.mkdir(parents=True, exist_ok=True)
    for i, domain in enumerate(DOMAINS):
        text = "".join(paragraph(rng, 1 + i % 3) + "\n" for _ in range(lines))
        (folder / f"{domain}.txt").write_text(text, encoding="utf-8")
