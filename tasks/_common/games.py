"""Shared by the graders of the game tasks (mounted read-only at /common in grader sandboxes).

A grader loads the agent's strategy from the workspace, plays it against hidden opponents with a
seeded RNG, and prints one JSON dict: metrics, or {"error": ...} for an invalid submission.
"""

import importlib.util
import json
import random
import sys
import traceback
from pathlib import Path


def fail(message):
    """Report an invalid submission and stop."""
    print(json.dumps({"error": message}))
    sys.exit(0)


def load_function(workspace, filename, name):
    """The function ``name`` from ``workspace/filename``, or an invalid-submission report."""
    path = Path(workspace) / filename
    if not path.exists():
        fail(f"no {filename} in the workspace; write one that defines {name}(history)")
    spec = importlib.util.spec_from_file_location(Path(filename).stem, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:
        fail(f"{filename} raised on import:\n" + traceback.format_exc(limit=3))
    if not callable(getattr(module, name, None)):
        fail(f"{filename} defines no function {name}(history)")
    return getattr(module, name)


def tournament(row_strategy, opponents, split, play_game):
    """Mean payoff of row_strategy over ``games_per_opponent`` games against each named opponent.

    ``play_game(row_strategy, opponent, rng) -> (total payoff, rounds)``. Returns the metrics dict.
    """
    rng = random.Random(split["seed"])
    random.seed(split["seed"])  # strategies that use the global RNG are reproducible too
    payoff = rounds = 0
    for name in split["opponents"]:
        for _ in range(split["games_per_opponent"]):
            try:
                total, length = play_game(row_strategy, opponents[name], rng)
            except Exception:
                fail("the strategy raised:\n" + traceback.format_exc(limit=3))
            payoff, rounds = payoff + total, rounds + length
    return {"score": round(payoff / rounds, 4), "rounds": rounds}


def play_matrix_game(payoff):
    """A play_game for a 2x2 game with the row player's payoffs ``payoff[(mine, theirs)]``."""

    def play(row_strategy, opponent, rng):
        history, total = [], 0
        for _ in range(rng.randint(5, 15)):
            mine = row_strategy(list(history))
            if mine not in (0, 1):
                fail(f"row_strategy returned {mine!r}; it must return 0 or 1")
            theirs = opponent([(b, a) for a, b in history], rng)
            total += payoff[(mine, theirs)]
            history.append((mine, theirs))
        return total, len(history)

    return play


def main(opponents, play_game, filename="strategy.py", name="row_strategy"):
    """Command line of a game grader: --split, --workspace, --hidden."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--split", required=True)
    parser.add_argument("--workspace", default="/workspace")
    parser.add_argument("--hidden", default="/hidden")
    args = parser.parse_args()
    split = json.loads((Path(args.hidden) / "splits.json").read_text())[args.split]
    strategy = load_function(args.workspace, filename, name)
    print(json.dumps(tournament(strategy, opponents, split, play_game)))


def prepare(task_dir, out, splits):
    """A game task's prepare step: public rules (its description), hidden seeds and opponent pools."""
    import shutil

    out = Path(out)
    (out / "public").mkdir(parents=True, exist_ok=True)
    (out / "hidden").mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(task_dir) / "description.md", out / "public" / "rules.md")
    (out / "hidden" / "splits.json").write_text(json.dumps(splits, indent=1))
