"""Build the data of battle_of_sexes: public rules, hidden seeds and opponent pools per split.

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden)
"""

import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here.parent / "_common"))
from games import prepare  # noqa: E402

prepare(here, sys.argv[1], {
    "dev": {"seed": 3003, "games_per_opponent": 400,
            "opponents": ["stubborn", "accommodating", "follower", "random_half", "majority"]},
    "test": {"seed": 4004, "games_per_opponent": 400,
             "opponents": ["stubborn", "accommodating", "follower", "random_half", "majority", "alternator",
                           "stubborn_then_yields", "noisy_follower"]},
})
