"""Grade submission.csv (idx,0,1: per-class probabilities, as in MLAgentBench) against the hidden labels of
one split: accuracy of the most probable class; print one JSON dict."""

import os
import sys

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from text_labels import grade  # noqa: E402

if __name__ == "__main__":
    grade(classes=2, probabilities=True, how="hold columns idx,0,1: the probabilities of negative and positive "
          "for every dev and test idx (see train.py)")
