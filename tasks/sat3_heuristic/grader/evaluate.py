"""Grade heuristic_fn on the hidden formulas of one split: mean DPLL decisions (lower is better).

Decisions are counted, not timed, so the score does not depend on the machine; wall time and
propagations are reported too. A formula whose budget runs out counts the whole budget.
"""

import argparse
import importlib.util
import json
import random
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from solver import satisfies, solve  # noqa: E402

BUDGET = 5000


def fail(message):
    print(json.dumps({"error": message}))
    sys.exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", required=True)
    parser.add_argument("--workspace", default="/workspace")
    parser.add_argument("--hidden", default="/hidden")
    args = parser.parse_args()
    path = Path(args.workspace) / "heuristic.py"
    if not path.exists():
        fail("no heuristic.py in the workspace; it must define heuristic_fn(clauses, assignment, rng)")
    spec = importlib.util.spec_from_file_location("heuristic", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:
        fail("heuristic.py raised on import:\n" + traceback.format_exc(limit=3))
    if not callable(getattr(module, "heuristic_fn", None)):
        fail("heuristic.py defines no function heuristic_fn")
    formulas = json.loads((Path(args.hidden) / "splits.json").read_text())[args.split]
    decisions = propagations = 0
    start = time.perf_counter()
    for i, clauses in enumerate(formulas):
        try:
            sat, assignment, stats = solve(clauses, module.heuristic_fn, random.Random(i), max_decisions=BUDGET)
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
