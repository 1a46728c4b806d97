"""Shared by the graders of the game tasks: the agent's strategy from the workspace plays hidden
opponents with a seeded RNG; the metrics are printed as one JSON dict."""

import json
import random
import traceback
from pathlib import Path

from kit import fail, load_function, parse_args


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


def main(opponents, play_game):
    """Command line of a game grader: plays /workspace/strategy.py's row_strategy."""
    args = parse_args()
    split = json.loads((Path(args.hidden) / "splits.json").read_text())[args.split]
    strategy = load_function(Path(args.workspace) / "strategy.py", "row_strategy", "(history)")
    print(json.dumps(tournament(strategy, opponents, split, play_game)))


def prepare(task_dir, out, splits):
    """A game task's prepare step: public rules (its description), hidden seeds and opponent pools."""
    import shutil

    out = Path(out)
    (out / "public").mkdir(parents=True, exist_ok=True)
    (out / "hidden").mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(task_dir) / "description.md", out / "public" / "rules.md")
    (out / "hidden" / "splits.json").write_text(json.dumps(splits, indent=1))
