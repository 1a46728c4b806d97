"""Grade a row_strategy against the hidden opponents of one split; print one JSON dict.

Usage: python evaluate.py --split dev|test --submission DIR --hidden DIR
"""

import os
import sys

sys.path[:0] = [os.path.dirname(os.path.abspath(__file__)), os.environ.get("MLGYM_COMMON_DIR", "/common")]
from games import main, matrix_move  # noqa: E402
from opponents import OPPONENTS  # noqa: E402

PAYOFF = {(0, 0): 3, (0, 1): 0, (1, 0): 5, (1, 1): 1}

if __name__ == "__main__":
    main(OPPONENTS, matrix_move, lambda mine, theirs: PAYOFF[(mine, theirs)])
