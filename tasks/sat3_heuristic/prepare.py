"""Build the data of sat3_heuristic: SR(n) formulas (Selsam et al. 2018), public train, hidden dev/test.

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden)
"""

import json
import random
import shutil
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here / "grader"))
from solver import sr_pair  # noqa: E402

out = Path(sys.argv[1])


def formulas(seed, pairs, sizes):
    rng = random.Random(seed)
    result = []
    for i in range(pairs):
        unsat, sat = sr_pair(sizes[i % len(sizes)], rng)
        result += [unsat, sat]
    return result


(out / "public").mkdir(parents=True, exist_ok=True)
(out / "hidden").mkdir(parents=True, exist_ok=True)
(out / "public" / "train.json").write_text(json.dumps(formulas(7, 30, [30, 40, 50])))
(out / "hidden" / "splits.json").write_text(json.dumps({
    "dev": formulas(8, 10, [40, 50]),
    "test": formulas(9, 15, [40, 50, 60]),
}))
shutil.copy(here / "grader" / "solver.py", out / "public" / "solver.py")
