"""Grade submission.csv (idx,label with label 0 entailment, 1 neutral, 2 contradiction) against the hidden
labels of one split: accuracy; print one JSON dict."""

import os
import sys

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from text_labels import grade  # noqa: E402

if __name__ == "__main__":
    grade(classes=3, probabilities=False, how="hold columns idx,label: a class 0-2 for every dev and test idx "
          "(see train.py)")
