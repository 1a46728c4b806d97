"""Grade a Colonel Blotto row_strategy against the hidden opponents of one split; print one JSON dict."""

import os
import sys

sys.path[:0] = [os.path.dirname(os.path.abspath(__file__)), os.environ.get("MLGYM_COMMON_DIR", "/common")]
from games import main  # noqa: E402
from kit import fail  # noqa: E402
from opponents import FIELDS, OPPONENTS, SOLDIERS  # noqa: E402


def valid(allocation):
    if not isinstance(allocation, list) or not all(isinstance(v, int) for v in allocation):
        fail(f"row_strategy returned {str(allocation)[:200]}; it must return a list of {FIELDS} whole numbers")
    if len(allocation) != FIELDS or any(v < 0 for v in allocation) or sum(allocation) != SOLDIERS:
        fail(f"row_strategy returned {allocation!r}; it must return {FIELDS} non-negative whole numbers "
             f"that sum to {SOLDIERS}")
    return tuple(int(v) for v in allocation)


def payoff(mine, theirs):
    """+1 for winning more battlefields than the opponent, -1 for fewer, 0 for a tie."""
    wins = sum(m > t for m, t in zip(mine, theirs, strict=True))
    losses = sum(m < t for m, t in zip(mine, theirs, strict=True))
    return (wins > losses) - (wins < losses)


if __name__ == "__main__":
    main(OPPONENTS, valid, payoff)
