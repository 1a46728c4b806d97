"""Grade a Colonel Blotto row_strategy against the hidden opponents of one split; print one JSON dict."""

import os
import sys

sys.path[:0] = [os.path.dirname(os.path.abspath(__file__)), os.environ.get("MLGYM_COMMON_DIR", "/common")]
from games import main  # noqa: E402
from kit import fail  # noqa: E402
from opponents import FIELDS, OPPONENTS, SOLDIERS  # noqa: E402


def valid(allocation):
    try:
        values = [int(v) for v in allocation]
    except (TypeError, ValueError):
        fail(f"row_strategy returned {allocation!r}; it must return {FIELDS} whole numbers")
    if len(values) != FIELDS or any(v < 0 for v in values) or sum(values) != SOLDIERS:
        fail(f"row_strategy returned {allocation!r}; it must return {FIELDS} non-negative whole numbers "
             f"that sum to {SOLDIERS}")
    return tuple(values)


def play_blotto(row_strategy, opponent, rng):
    history, total = [], 0
    for _ in range(rng.randint(5, 15)):
        mine = valid(row_strategy(list(history)))
        theirs = opponent([(b, a) for a, b in history], rng)
        wins = sum(m > t for m, t in zip(mine, theirs))
        losses = sum(m < t for m, t in zip(mine, theirs))
        total += (wins > losses) - (wins < losses)
        history.append((mine, theirs))
    return total, len(history)


if __name__ == "__main__":
    main(OPPONENTS, play_blotto)
