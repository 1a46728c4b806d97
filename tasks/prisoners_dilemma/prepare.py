"""Build the data of prisoners_dilemma: public rules, hidden seeds for the dev and test splits.

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden; idempotent)
"""

import json
import shutil
import sys
from pathlib import Path

out = Path(sys.argv[1])
here = Path(__file__).parent
(out / "public").mkdir(parents=True, exist_ok=True)
(out / "hidden").mkdir(parents=True, exist_ok=True)
shutil.copy(here / "description.md", out / "public" / "rules.md")
splits = {
    # Different opponent pools and seeds per split: the test pool holds opponents never met in dev.
    "dev": {"seed": 1001, "games_per_opponent": 400,
            "opponents": ["tit_for_tat", "always_defect", "always_cooperate", "random_half", "grim_trigger",
                          "pavlov"]},
    "test": {"seed": 2002, "games_per_opponent": 400,
             "opponents": ["tit_for_tat", "always_defect", "random_half", "grim_trigger", "pavlov",
                           "tit_for_two_tats", "suspicious_tit_for_tat", "prober", "generous_tit_for_tat",
                           "alternator"]},
}
(out / "hidden" / "splits.json").write_text(json.dumps(splits, indent=1))
