"""Shared by the graders of the game tasks: the agent's strategy plays hidden opponents.

The strategy runs in a player process (player.py); this scorer owns the opponents, their RNGs,
the payoffs and the counts. The games against one opponent are played in lockstep, one round
trip per round for all of them, and each game has its own RNG, so the result does not depend on
the order of the calls. The strategy sees ``history`` as a list of [its move, the opponent's
move] pairs.
"""

import json
import random
from pathlib import Path

from kit import fail, parse_args, report, require
from player import Player, PlayerError

#: Seconds per round trip: a fixed allowance plus this much per game in the batch.
ROUND_BASE, PER_CALL = 2.0, 0.02


def tournament(player, opponents, split, check_move, payoff):
    """Mean payoff per round of the player's row_strategy over the split's games; the metrics dict.

    ``check_move(move)`` returns the move as the game uses it or calls ``fail``;
    ``payoff(mine, theirs)`` is the row player's payoff of one round.
    """
    total = rounds = 0
    for name in split["opponents"]:
        rngs = [random.Random(f"{split['seed']}:{name}:{game}") for game in range(split["games_per_opponent"])]
        lengths = [rng.randint(5, 15) for rng in rngs]
        histories = [[] for _ in rngs]
        for turn in range(max(lengths)):
            live = [g for g, length in enumerate(lengths) if turn < length]
            try:
                moves = player.map("row_strategy", [[histories[g]] for g in live],
                                   timeout=ROUND_BASE + PER_CALL * len(live))
            except PlayerError as exc:
                fail(f"row_strategy failed: {exc}")
            for g, move in zip(live, moves, strict=True):
                mine = check_move(move)
                theirs = opponents[name]([(b, a) for a, b in histories[g]], rngs[g])
                total += payoff(mine, theirs)
                rounds += 1
                histories[g].append((mine, theirs))
    return {"score": round(total / rounds, 4), "rounds": rounds}


def matrix_move(move):
    """A 2x2 game's move: 0 or 1."""
    if move not in (0, 1):
        fail(f"row_strategy returned {move!r}; it must return 0 or 1")
    return int(move)


def main(opponents, check_move, payoff):
    """Command line of a game grader: plays the submitted strategy.py's row_strategy."""
    args = parse_args()
    split = json.loads((Path(args.hidden) / "splits.json").read_text())[args.split]
    path = require(args.submission, "strategy.py", "define row_strategy(history)")
    try:
        player = Player(path, ["row_strategy"], seed=split["seed"])
    except PlayerError as exc:
        fail(str(exc))
    with player:
        report(tournament(player, opponents, split, check_move, payoff))


def prepare(task_dir, out, splits):
    """A game task's prepare step: public rules (its description), hidden seeds and opponent pools."""
    import shutil

    out = Path(out)
    (out / "public").mkdir(parents=True, exist_ok=True)
    (out / "hidden").mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(task_dir) / "description.md", out / "public" / "rules.md")
    (out / "hidden" / "splits.json").write_text(json.dumps(splits, indent=1))
