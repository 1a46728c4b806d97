"""Grade model.py + checkpoint/ on one hidden split of Shakespeare: bits per byte (lower is better);
print one JSON dict. The scorer is shared by the byte-level LM tasks (tasks/_common/byte_lm.py)."""

import os
import sys

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from byte_lm import main  # noqa: E402

if __name__ == "__main__":
    main()
