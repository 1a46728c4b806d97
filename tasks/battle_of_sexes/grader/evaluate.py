"""Grade a row_strategy for the Battle of the Sexes against the hidden opponents of one split."""

import os
import sys

sys.path[:0] = [os.path.dirname(os.path.abspath(__file__)), os.environ.get("MLGYM_COMMON_DIR", "/common")]
from games import main, matrix_move  # noqa: E402
from opponents import OPPONENTS  # noqa: E402

PAYOFF = {(0, 0): 2, (1, 1): 1, (0, 1): 0, (1, 0): 0}  # the row player prefers to meet on 0

if __name__ == "__main__":
    main(OPPONENTS, matrix_move, lambda mine, theirs: PAYOFF[(mine, theirs)])
