"""Grade policy.py + checkpoints/ on one split: mean return over held-out Breakout-MinAtar episodes."""

import os
import sys

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from rl import main  # noqa: E402

if __name__ == "__main__":
    main("Breakout-MinAtar")
