"""Grade conv2d_forward from the submission: outputs checked on every call, then the speedup.

The baseline (the starter's conv.py as shipped) and the submission each run in a player process
of their own (player.py), under different uids. Both are timed from here, outside their processes,
side by side and interleaved, on fresh inputs per call (so nothing can be cached), with the
submission's processes stopped while the baseline runs. The score is the geometric mean over cases
of the ratio of median times (higher is better); times include sending the arrays both ways.
"""

import json
import os
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import fail, mounted, parse_args, report, require  # noqa: E402
from player import TRUSTED_UID, Player, PlayerError  # noqa: E402

REPEATS = 3
CALL_TIMEOUT = 60.0


def main():
    args = parse_args()
    cases = json.loads((Path(args.hidden) / "cases.json").read_text())[args.split]
    path = require(args.submission, "conv.py", "define conv2d_forward(x, w, b, stride=1, padding=0)")
    baseline = Player(os.path.join(mounted("/starter"), "conv.py"), ["conv2d_forward"], uid=TRUSTED_UID,
                      label="the baseline")
    try:
        candidate = Player(path, ["conv2d_forward"])
    except PlayerError as exc:
        baseline.close()
        fail(str(exc))
    ratios = []
    with baseline, candidate:
        for case in cases:
            base_t, cand_t = [], []
            for repeat in range(REPEATS):
                rng = np.random.default_rng([case["seed"], repeat])
                x = rng.standard_normal(case["x"]).astype(np.float32)
                w = rng.standard_normal(case["w"]).astype(np.float32)
                b = rng.standard_normal(case["w"][0]).astype(np.float32)
                call = (x, w, b, case["stride"], case["padding"])
                candidate.freeze()  # nothing of the submission runs while the baseline is timed
                try:
                    want = baseline.call("conv2d_forward", *call, timeout=CALL_TIMEOUT)
                finally:
                    candidate.thaw()
                base_t.append(baseline.last_seconds)
                try:
                    got = candidate.call("conv2d_forward", *call, timeout=CALL_TIMEOUT)
                except PlayerError as exc:
                    fail(f"conv2d_forward failed: {exc}")
                cand_t.append(candidate.last_seconds)
                check(got, want, case)
            ratios.append(statistics.median(base_t) / max(statistics.median(cand_t), 1e-9))
    report({"speedup": round(statistics.geometric_mean(ratios), 3), "cases": len(cases)})


def check(got, want, case):
    """The submission's output must match the baseline's (float32 rounding aside)."""
    if not isinstance(got, np.ndarray):
        fail(f"conv2d_forward returned a {type(got).__name__}, not a numpy array, for case {case}")
    if got.shape != want.shape:
        fail(f"conv2d_forward returned shape {got.shape} for case {case}; expected {want.shape}")
    if not np.issubdtype(got.dtype, np.floating) or not np.all(np.isfinite(got)):
        fail(f"conv2d_forward returned {got.dtype} values that are not all finite floats for case {case}")
    if not np.allclose(got, want, rtol=1e-4, atol=1e-4):
        worst = float(np.max(np.abs(got.astype(np.float64) - want)))
        fail(f"conv2d_forward's output differs from the reference by up to {worst:.3g} for case {case}")


if __name__ == "__main__":
    main()
