"""Grade conv2d_forward from the workspace: exact outputs, then the speedup over the baseline.

The baseline (a hidden copy of the starter) and the submission are timed side by side, interleaved,
on the split's hidden inputs; the score is the ratio of their median times (higher is better).
"""

import argparse
import importlib.util
import json
import statistics
import sys
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline_conv import conv2d_forward as baseline  # noqa: E402


def fail(message):
    print(json.dumps({"error": message}))
    sys.exit(0)


def load(workspace):
    path = Path(workspace) / "conv.py"
    if not path.exists():
        fail("no conv.py in the workspace; it must define conv2d_forward(x, w, b, stride, padding)")
    spec = importlib.util.spec_from_file_location("agent_conv", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:
        fail("conv.py raised on import:\n" + traceback.format_exc(limit=3))
    if not callable(getattr(module, "conv2d_forward", None)):
        fail("conv.py defines no function conv2d_forward")
    return module.conv2d_forward


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", required=True)
    parser.add_argument("--workspace", default="/workspace")
    parser.add_argument("--hidden", default="/hidden")
    args = parser.parse_args()
    cases = json.loads((Path(args.hidden) / "cases.json").read_text())[args.split]
    candidate = load(args.workspace)
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
