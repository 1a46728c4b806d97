"""Build the data of prisoners_dilemma: public rules, hidden seeds and opponent pools per split.

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden)
"""

import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here.parent / "_common"))
from games import prepare  # noqa: E402

# Different opponent pools and seeds per split: the test pool holds opponents never met in dev.
prepare(here, sys.argv[1], {
    "dev": {"seed": 1001, "games_per_opponent": 400,
            "opponents": ["tit_for_tat", "always_defect", "always_cooperate", "random_half", "grim_trigger",
                          "pavlov"]},
    "test": {"seed": 2002, "games_per_opponent": 400,
             "opponents": ["tit_for_tat", "always_defect", "random_half", "grim_trigger", "pavlov",
                           "tit_for_two_tats", "suspicious_tit_for_tat", "prober", "generous_tit_for_tat",
                           "alternator"]},
})
