"""Build the data of vectorization: hidden input shapes and seeds per split (public: a sample case).

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden)
"""

import json
import sys
from pathlib import Path

out = Path(sys.argv[1])
(out / "public").mkdir(parents=True, exist_ok=True)
(out / "hidden").mkdir(parents=True, exist_ok=True)
cases = {
    "dev": [{"seed": 11, "x": [4, 3, 28, 28], "w": [8, 3, 3, 3], "stride": 1, "padding": 1},
            {"seed": 12, "x": [2, 8, 20, 20], "w": [6, 8, 5, 5], "stride": 2, "padding": 0}],
    "test": [{"seed": 21, "x": [4, 3, 30, 30], "w": [8, 3, 3, 3], "stride": 1, "padding": 0},
             {"seed": 22, "x": [2, 6, 24, 24], "w": [6, 6, 5, 5], "stride": 2, "padding": 2},
             {"seed": 23, "x": [3, 4, 16, 16], "w": [10, 4, 3, 3], "stride": 1, "padding": 1}],
}
(out / "hidden" / "cases.json").write_text(json.dumps(cases, indent=1))
(out / "public" / "sample_case.json").write_text(json.dumps(
    {"x": [4, 3, 28, 28], "w": [8, 3, 3, 3], "stride": 1, "padding": 1, "dtype": "float32"}, indent=1))
