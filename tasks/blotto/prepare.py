"""Build the data of blotto: public rules, hidden seeds and opponent pools per split.

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden)
"""

import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here.parent / "_common"))
from games import prepare  # noqa: E402

prepare(here, sys.argv[1], {
    "dev": {"seed": 5005, "games_per_opponent": 200,
            "opponents": ["uniform", "random_split", "three_fronts", "copycat"]},
    "test": {"seed": 6006, "games_per_opponent": 200,
             "opponents": ["uniform", "random_split", "three_fronts", "four_fronts", "copycat", "counter_last",
                           "lopsided"]},
})
