"""Grade heuristic_fn on the hidden formulas of one split: mean DPLL decisions (lower is better).

The solver runs here, in the scorer; only the branching choice is asked of the agent's code, in a
player process (player.py), with an RNG that lives in that process. Decisions are counted, not
timed, so the score does not depend on the machine; wall time and propagations are reported too. A
formula whose budget runs out counts the whole budget.
"""

import json
import os
import random
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), os.environ.get("MLGYM_COMMON_DIR", "/common")]
from kit import fail, parse_args, report, require  # noqa: E402
from player import Player, PlayerError, PlayerRng  # noqa: E402
from solver import satisfies, solve  # noqa: E402

BUDGET = 5000
CALL_TIMEOUT = 5.0


def main():
    args = parse_args()
    formulas = json.loads((Path(args.hidden) / "splits.json").read_text())[args.split]
    path = require(args.submission, "heuristic.py", "define heuristic_fn(clauses, assignment, rng)")
    try:
        player = Player(path, ["heuristic_fn"])
    except PlayerError as exc:
        fail(str(exc))
    decisions = propagations = 0
    start = time.perf_counter()
    with player:
        for i, clauses in enumerate(formulas):
            def heuristic(clauses, assignment, _rng, i=i):
                return player.call("heuristic_fn", clauses, assignment, PlayerRng(i), timeout=CALL_TIMEOUT)

            try:
                sat, assignment, stats = solve(clauses, heuristic, random.Random(i), max_decisions=BUDGET)
            except PlayerError as exc:
                fail(f"heuristic_fn failed on formula {i}: {exc}")
            except ValueError as exc:  # the solver's check of the returned literal
                fail(f"formula {i}: {exc}")
            if sat and not satisfies(clauses, assignment):
                fail(f"formula {i}: the solver's assignment does not satisfy it")
            decisions += stats.decisions if sat is not None else BUDGET
            propagations += stats.propagations
    report({"decisions": round(decisions / len(formulas), 2), "propagations": round(propagations / len(formulas), 2),
            "seconds": round(time.perf_counter() - start, 3), "formulas": len(formulas)})


if __name__ == "__main__":
    main()
