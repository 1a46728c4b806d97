"""Grade a row_strategy against the hidden opponents of one split; print one JSON dict.

Usage: python evaluate.py --split dev|test --workspace DIR --hidden DIR
"""

import argparse
import importlib.util
import json
import random
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from opponents import OPPONENTS  # noqa: E402

PAYOFF = {(0, 0): (3, 3), (0, 1): (0, 5), (1, 0): (5, 0), (1, 1): (1, 1)}


def fail(message):
    print(json.dumps({"error": message}))
    sys.exit(0)


def load_strategy(workspace):
    path = Path(workspace) / "strategy.py"
    if not path.exists():
        fail("no strategy.py in the workspace; write one that defines row_strategy(history)")
    spec = importlib.util.spec_from_file_location("strategy", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:
        fail("strategy.py raised on import:\n" + traceback.format_exc(limit=3))
    if not callable(getattr(module, "row_strategy", None)):
        fail("strategy.py defines no function row_strategy(history)")
    return module.row_strategy


def play(row_strategy, opponent, rng):
    history, total = [], 0
    for _ in range(rng.randint(5, 15)):
        mine = row_strategy(list(history))
        if mine not in (0, 1):
            fail(f"row_strategy returned {mine!r}; it must return 0 or 1")
        theirs = opponent([(b, a) for a, b in history], rng)
        total += PAYOFF[(mine, theirs)][0]
        history.append((mine, theirs))
    return total, len(history)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", required=True)
    parser.add_argument("--workspace", default="/workspace")
    parser.add_argument("--hidden", default="/hidden")
    args = parser.parse_args()
    split = json.loads((Path(args.hidden) / "splits.json").read_text())[args.split]
    row_strategy = load_strategy(args.workspace)
    rng = random.Random(split["seed"])
    random.seed(split["seed"])  # strategies that use the global RNG are reproducible too
    payoff = rounds = 0
    per_opponent = {}
    for name in split["opponents"]:
        got = n = 0
        for _ in range(split["games_per_opponent"]):
            try:
                total, length = play(row_strategy, OPPONENTS[name], rng)
            except Exception:
                fail("row_strategy raised:\n" + traceback.format_exc(limit=3))
            got, n = got + total, n + length
        per_opponent[name] = round(got / n, 4)
        payoff, rounds = payoff + got, rounds + n
    print(json.dumps({"score": round(payoff / rounds, 4), "rounds": rounds}))


if __name__ == "__main__":
    main()
