"""Grade conv2d_forward from the workspace: exact outputs, then the speedup over the baseline.

The baseline (the starter's conv.py) and the submission are timed side by side, interleaved,
on the split's hidden inputs; the score is the ratio of their median times (higher is better).
"""

import json
import os
import statistics
import sys
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import fail, load_function, mounted, parse_args  # noqa: E402

SIGNATURE = "(x, w, b, stride=1, padding=0)"


def main():
    args = parse_args()
    cases = json.loads((Path(args.hidden) / "cases.json").read_text())[args.split]
    # The baseline is the starter's conv.py, as shipped (the workspace copy may have been edited).
    baseline = load_function(Path(mounted("starter")) / "conv.py", "conv2d_forward", SIGNATURE)
    candidate = load_function(Path(args.workspace) / "conv.py", "conv2d_forward", SIGNATURE)
    ratios = []
    for case in cases:
        rng = np.random.default_rng(case["seed"])
        x = rng.standard_normal(case["x"]).astype(np.float32)
        w = rng.standard_normal(case["w"]).astype(np.float32)
        b = rng.standard_normal(case["w"][0]).astype(np.float32)
        kwargs = {"stride": case["stride"], "padding": case["padding"]}
        want = baseline(x, w, b, **kwargs)
        try:
            got = candidate(x.copy(), w.copy(), b.copy(), **kwargs)
        except Exception:
            fail("conv2d_forward raised:\n" + traceback.format_exc(limit=3))
        got = np.asarray(got)
        if got.shape != want.shape:
            fail(f"conv2d_forward returned shape {got.shape} for case {case}; expected {want.shape}")
        if not np.allclose(got, want, rtol=1e-4, atol=1e-4):
            worst = float(np.max(np.abs(got - want)))
            fail(f"conv2d_forward's output differs from the reference by up to {worst:.3g} for case {case}")
        base_t, cand_t = [], []
        for _ in range(3):  # interleaved: machine noise hits both alike
            start = time.perf_counter()
            baseline(x, w, b, **kwargs)
            base_t.append(time.perf_counter() - start)
            start = time.perf_counter()
            candidate(x, w, b, **kwargs)
            cand_t.append(time.perf_counter() - start)
        ratios.append(statistics.median(base_t) / max(statistics.median(cand_t), 1e-9))
    print(json.dumps({"speedup": round(statistics.geometric_mean(ratios), 3), "cases": len(cases)}))


if __name__ == "__main__":
    main()
