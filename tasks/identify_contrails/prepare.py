"""Build the data of identify_contrails from the competition's train/ and validation/ record folders.

Usage: python prepare.py OUTDIR DATADIR   (reads DATADIR/train, DATADIR/validation; writes OUTDIR/public, hidden)

Kaggle's test masks are not published, so its validation records are shuffled once, with a fixed seed,
into dev and test halves: their bands are public (public/dev/<id>/, public/test/<id>/), their masks go
to hidden/{dev,test}_masks.npz (uint8 H x W per record id). Train records stay as they are, masks
included. The full data set is about 450 GB, so whatever complete records the folder holds are used
(a user may fetch part of it), files are hard-linked where the file system allows (copied otherwise),
and one record at a time is read.
"""

import json
import os
import random
import shutil
import sys
from pathlib import Path

import numpy as np

SEED = 20261129
BANDS = [f"band_{b:02d}.npy" for b in range(8, 17)]
MASK = "human_pixel_masks.npy"


def place(src, dst):
    """Hard-link (no extra space), else copy."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def complete(folder):
    """The record folders of ``folder`` that hold every band and the mask, sorted; a note on the others."""
    if not folder.is_dir():
        sys.exit(f"{folder} is missing: the data folder must hold the competition's train/ and validation/")
    records = sorted(p for p in folder.iterdir() if p.is_dir())
    whole = [p for p in records if all((p / name).is_file() for name in BANDS + [MASK])]
    if len(whole) < len(records):
        print(f"{folder}: skipped {len(records) - len(whole)} incomplete record folders")
    return whole


def mask_of(path):
    """A record's mask as uint8 H x W of 0/1 (the file is H x W x 1)."""
    mask = np.load(path, allow_pickle=False)
    if mask.ndim != 3 or mask.shape[2] != 1 or not np.isin(mask, (0, 1)).all():
        sys.exit(f"{path} is not an H x W x 1 array of 0 and 1")
    return mask[:, :, 0].astype(np.uint8)


out, data = Path(sys.argv[1]), Path(sys.argv[2])
train, validation = complete(data / "train"), complete(data / "validation")
if not train or len(validation) < 2:
    sys.exit(f"{data} needs at least one complete train record and two validation records")

for record in train:
    for name in BANDS + [MASK, "human_individual_masks.npy"]:
        if (record / name).is_file():
            place(record / name, out / "public" / "train" / record.name / name)

random.Random(SEED).shuffle(validation)
half = len(validation) // 2
counts = {}
for split, records in (("dev", validation[:half]), ("test", validation[half:])):
    masks = {}
    for record in records:
        for name in BANDS:
            place(record / name, out / "public" / split / record.name / name)
        masks[record.name] = mask_of(record / MASK)
    np.savez_compressed(out / "hidden" / f"{split}_masks.npz", **masks)
    counts[split] = len(records)

for name in ("train_metadata.json", "validation_metadata.json"):
    if (data / name).is_file():  # timestamps and projections only, no labels
        keep = {r.name for r in train} if name.startswith("train") else {r.name for r in validation}
        rows = [row for row in json.loads((data / name).read_text()) if str(row.get("record_id")) in keep]
        (out / "public" / name).write_text(json.dumps(rows))

first = np.load(train[0] / BANDS[0], mmap_mode="r")
(out / "public" / "README.md").write_text(
    "Kaggle 'Google Research - Identify Contrails to Reduce Global Warming' (GOES-16 ABI infrared scenes).\n\n"
    f"- train/<record_id>/ ({len(train)} records): band_08.npy ... band_16.npy, {first.dtype} arrays H x W x T "
    f"(here {first.shape}: T frames 10 minutes apart, the labelled one is index 4), human_pixel_masks.npy "
    "(H x W x 1, 0/1) and, where the source has it, human_individual_masks.npy (H x W x 1 x labellers);\n"
    f"- dev/<record_id>/ ({counts['dev']} records) and test/<record_id>/ ({counts['test']}): the bands only "
    "(the competition's validation records, split in two);\n"
    "- train_metadata.json, validation_metadata.json: timestamps and projections (validation covers dev and "
    "test).\n")
