"""Grade heuristic_fn on the hidden formulas of one split: mean DPLL decisions (lower is better).

Decisions are counted, not timed, so the score does not depend on the machine; wall time and
propagations are reported too. A formula whose budget runs out counts the whole budget.
"""

import json
import os
import random
import sys
import time
import traceback
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), os.environ.get("MLGYM_COMMON_DIR", "/common")]
from kit import fail, load_function, parse_args  # noqa: E402
from solver import satisfies, solve  # noqa: E402

BUDGET = 5000


def main():
    args = parse_args()
    heuristic_fn = load_function(Path(args.workspace) / "heuristic.py", "heuristic_fn", "(clauses, assignment, rng)")
    formulas = json.loads((Path(args.hidden) / "splits.json").read_text())[args.split]
    decisions = propagations = 0
    start = time.perf_counter()
    for i, clauses in enumerate(formulas):
        try:
            sat, assignment, stats = solve(clauses, heuristic_fn, random.Random(i), max_decisions=BUDGET)
        except Exception:
            fail(f"heuristic_fn failed on formula {i}:\n" + traceback.format_exc(limit=3))
        if sat and not satisfies(clauses, assignment):
            fail(f"formula {i}: the solver's assignment does not satisfy it")
        decisions += stats.decisions if sat is not None else BUDGET
        propagations += stats.propagations
    print(json.dumps({"decisions": round(decisions / len(formulas), 2),
                      "propagations": round(propagations / len(formulas), 2),
                      "seconds": round(time.perf_counter() - start, 3), "formulas": len(formulas)}))


if __name__ == "__main__":
    main()
