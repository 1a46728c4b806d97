"""Grade submission.csv (image_id,caption) against the hidden captions of one split: corpus BLEU-4 with
every human caption of an image as a reference (tasks/_common/bleu.py); print one JSON dict. No
submitted code runs here."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from bleu import corpus_bleu, tokens  # noqa: E402
from kit import in_order, parse_args, read_predictions, report, require  # noqa: E402

MAX_CHARS = 500


def caption(text):
    if len(text) > MAX_CHARS:
        raise ValueError(f"captions have at most {MAX_CHARS} characters")
    words = tokens(text)
    if not words:
        raise ValueError("a caption needs at least one word (letters or digits)")
    return words


def main():
    args = parse_args()
    truth = json.loads((Path(args.hidden) / f"{args.split}_captions.json").read_text())
    path = require(args.submission, "submission.csv", "hold columns image_id,caption (see baseline.py)")
    predicted = read_predictions(path, "image_id", "caption", caption)
    ids = list(truth)
    candidates = in_order(predicted, ids, "image_id", args.split)
    score = corpus_bleu(candidates, [[tokens(c) for c in truth[i]] for i in ids])
    report({"bleu": round(score["bleu"], 5), "brevity_penalty": round(score["brevity_penalty"], 4),
            "precisions": [round(p, 4) for p in score["precisions"]], "images": len(ids)})


if __name__ == "__main__":
    main()
