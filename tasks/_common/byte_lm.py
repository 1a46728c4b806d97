"""Shared by the byte-level language modelling tasks (lm_shakespeare, fineweb_lm, babylm): the hidden
windows that prepare.py draws (``write_split``) and the grader (``main``): bits per byte of the
submitted model.py + checkpoint/ on one hidden split (lower is better).

The model runs in a player process (player.py, through loader.py); the scorer holds the hidden
text. It reveals fixed windows of it one byte at a time, all windows in lockstep: each round trip
sends every window's bytes so far and gets one distribution over the next byte per window, checks
it (finite, non-negative, summing to 1 within 1e-3) and only then moves on, so that no byte is
sent before the model has given its distribution for it. The log-loss of the true byte is computed
here, never taken from the model: bits per byte = mean of -log2 p(true byte), each row divided by
its sum, with p floored at 2^-30.
"""

import json
import os
import time
from pathlib import Path

import numpy as np
from kit import fail, numeric_array, parse_args, report, require
from player import Player, PlayerError

#: Windows per hidden split, and their length: PREFIX bytes of context, then SCORED bytes scored.
WINDOWS, PREFIX, SCORED = 32, 64, 128
LOAD_TIMEOUT, FIRST_TIMEOUT, CALL_TIMEOUT = 120.0, 60.0, 20.0
FLOOR = 2.0 ** -30
SUM_TOLERANCE = 1e-3


def windows(text, rng):
    """WINDOWS offsets of PREFIX + SCORED byte windows in ``text``, sorted: one window in each of as
    many slots of twice that length, so that no two overlap."""
    size = PREFIX + SCORED
    if len(text) // (2 * size) < WINDOWS:
        raise SystemExit(f"a hidden text of {len(text)} bytes is too short for {WINDOWS} windows of {size} bytes")
    slots = rng.sample(range(len(text) // (2 * size)), WINDOWS)
    return sorted(slot * 2 * size + rng.randrange(size) for slot in slots)


def write_split(out, name, text, rng):
    """Write hidden ``text`` as OUT/hidden/<name>.txt and return its windows' entry for windows.json."""
    (Path(out) / "hidden" / f"{name}.txt").write_bytes(text)
    return {"offsets": windows(text, rng), "prefix": PREFIX, "scored": SCORED}


def write_windows(out, splits):
    """OUT/hidden/windows.json: {split: write_split's entry}."""
    (Path(out) / "hidden" / "windows.json").write_text(json.dumps(splits, indent=1))


def check_probs(probs, n, step):
    """The model's reply as an (n, 256) float64 array of distributions, or an invalid-submission report."""
    where = f"for byte {step} of the windows"
    probs = numeric_array(probs, "next_byte_probs", where)
    if probs.shape != (n, 256):
        fail(f"next_byte_probs returned an array of shape {probs.shape} {where}; expected ({n}, 256): one "
             "distribution over the 256 byte values per context")
    probs = probs.astype(np.float64)
    if not np.all(np.isfinite(probs)):
        fail(f"next_byte_probs returned values that are not finite (NaN or infinite) {where}")
    if np.any(probs < 0):
        fail(f"next_byte_probs returned negative probabilities (down to {probs.min():.3g}) {where}")
    sums = probs.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1)))
    if abs(sums[worst] - 1) > SUM_TOLERANCE:
        fail(f"next_byte_probs returned a row that sums to {sums[worst]:.6g}, not 1 (within {SUM_TOLERANCE}), "
             f"{where}")
    return probs / sums[:, None]


def main():
    args = parse_args()
    split = json.loads((Path(args.hidden) / "windows.json").read_text())[args.split]
    text = (Path(args.hidden) / f"{args.split}.txt").read_bytes()
    prefix, scored = split["prefix"], split["scored"]
    windows = [text[o:o + prefix + scored] for o in split["offsets"]]
    path = require(args.submission, "model.py", "define load(folder), returning a model with "
                                                "next_byte_probs(contexts) (see train.py)")
    folder = os.path.join(args.submission, "checkpoint")
    if not os.path.isdir(folder):
        fail("no checkpoint/ in the workspace; model.py's load(folder) gets that folder (train.py writes it)")
    loader = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loader.py")
    try:
        player = Player(loader, ["load", "call_bytes"], label="model.py")
    except PlayerError as exc:
        fail(str(exc))
    bits, start = 0.0, time.perf_counter()
    with player:
        try:
            player.call("load", path, folder, timeout=LOAD_TIMEOUT)
        except PlayerError as exc:
            fail(f"load(checkpoint) failed: {exc}")
        for step in range(scored):
            contexts = b"".join(w[:prefix + step] for w in windows)
            try:
                probs = player.call("call_bytes", "next_byte_probs", np.frombuffer(contexts, dtype=np.uint8),
                                    [prefix + step] * len(windows),
                                    timeout=FIRST_TIMEOUT if step == 0 else CALL_TIMEOUT)
            except PlayerError as exc:
                fail(f"next_byte_probs failed for byte {step} of the windows: {exc}")
            probs = check_probs(probs, len(windows), step)
            truth = np.frombuffer(bytes(w[prefix + step] for w in windows), dtype=np.uint8)
            bits -= float(np.log2(np.maximum(probs[np.arange(len(windows)), truth], FLOOR)).sum())
    report({"bits_per_byte": round(bits / (scored * len(windows)), 4), "bytes": scored * len(windows),
            "seconds": round(time.perf_counter() - start, 2)})
