"""Build the data of fathomnet from the competition's labelled images (MLAgentBench's layout).

Usage: python prepare.py OUTDIR DATADIR   (reads DATADIR/multilabel_classification/train.csv,
DATADIR/object_detection/train.json, DATADIR/category_key.csv and DATADIR/images/<id>.png)

Kaggle's evaluation labels are not published, so the labelled images are split here. Kaggle's
out-of-sample images came from below 800 m, where the species mix differs; the files carry no depth, so
this split makes the shift with species instead: categories, in an order shuffled with a fixed seed,
are held out while the images holding any held-out category stay under 10 % of all, and those images
are out-of-sample (osd 1), half in dev and half in test. The other images are in-sample (osd 0): 80 %
train, 10 % dev, 10 % test. Train never shows a held-out category. Only images whose file is present
are used (a user may fetch part of them); image files are hard-linked where possible, else copied.
"""

import ast
import csv
import json
import os
import random
import shutil
import sys
from pathlib import Path

SEED = 20261129
HELD_OUT_SHARE = 0.10


def place(src, dst):
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def categories_of(text, where):
    """The category ids of a train.csv cell such as "[1.0, 9.0]"."""
    try:
        values = ast.literal_eval(text)
        ids = sorted({int(v) for v in values})
    except (ValueError, SyntaxError, TypeError):
        sys.exit(f"{where}: categories {text[:60]!r} is not a list of category numbers")
    if not ids or any(i < 1 for i in ids):
        sys.exit(f"{where}: categories {text[:60]!r} must list positive category numbers")
    return ids


out, data = Path(sys.argv[1]), Path(sys.argv[2])
with open(data / "multilabel_classification" / "train.csv", newline="", encoding="utf-8") as f:
    reader = csv.DictReader(f)
    if reader.fieldnames != ["id", "categories"]:
        sys.exit(f"{data / 'multilabel_classification' / 'train.csv'} must have the columns id,categories")
    rows = list(reader)
labels = {row["id"]: categories_of(row["categories"], f"train.csv row {n + 2}") for n, row in enumerate(rows)}
present = [i for i in labels if (data / "images" / f"{i}.png").is_file()]
if len(present) < len(labels):
    print(f"{len(labels) - len(present)} of {len(labels)} labelled images have no file in images/: left out")
if len(present) < 20:
    sys.exit(f"{data / 'images'} holds {len(present)} of the labelled images (<id>.png); at least 20 are needed")

order = sorted({c for i in present for c in labels[i]})
random.Random(SEED).shuffle(order)
held, deep = set(), set()
for category in order:
    holding = {i for i in present if category in labels[i]}
    if len(deep | holding) <= HELD_OUT_SHARE * len(present):
        held.add(category)
        deep |= holding
shallow = [i for i in present if i not in deep]
deep = sorted(deep)
rng = random.Random(SEED)
rng.shuffle(shallow)
rng.shuffle(deep)
cut = [int(len(shallow) * 0.8), int(len(shallow) * 0.9)]
splits = {"train": shallow[:cut[0]],
          "dev": shallow[cut[0]:cut[1]] + deep[:len(deep) // 2],
          "test": shallow[cut[1]:] + deep[len(deep) // 2:]}
if len(deep) < 2 or not all(splits.values()) or any(set(splits[s]) <= set(deep) for s in ("dev", "test")):
    sys.exit("too few images to split into train, dev and test with in-sample and out-of-sample images in both")

public, hidden = out / "public", out / "hidden"
(public / "images").mkdir()
for ident in present:
    place(data / "images" / f"{ident}.png", public / "images" / f"{ident}.png")
(public / "multilabel_classification").mkdir()
train = set(splits["train"])
with open(public / "multilabel_classification" / "train.csv", "w", newline="", encoding="utf-8") as f:
    writer = csv.writer(f)
    writer.writerow(["id", "categories"])
    writer.writerows((row["id"], row["categories"]) for row in rows if row["id"] in train)
coco = json.loads((data / "object_detection" / "train.json").read_text())
kept = {img["id"] for img in coco["images"] if Path(img["file_name"]).stem in train}
coco["images"] = [img for img in coco["images"] if img["id"] in kept]
coco["annotations"] = [a for a in coco["annotations"] if a["image_id"] in kept]
(public / "object_detection").mkdir()
(public / "object_detection" / "train.json").write_text(json.dumps(coco))
shutil.copyfile(data / "category_key.csv", public / "category_key.csv")
with open(data / "category_key.csv", newline="", encoding="utf-8") as f:
    known = sorted(int(row["id"]) for row in csv.DictReader(f))
(hidden / "category_ids.json").write_text(json.dumps(known))

for split in ("dev", "test"):
    ids = sorted(splits[split])
    (public / f"{split}.csv").write_text("id\n" + "".join(f"{i}\n" for i in ids))
    with open(hidden / f"{split}_labels.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "categories", "osd"])
        writer.writerows((i, " ".join(map(str, labels[i])), int(i in deep)) for i in ids)

(public / "README.md").write_text(
    "Kaggle 'FathomNet 2023' (FGVC10): deep-sea images of the Monterey Bay, labelled with the animals in them.\n\n"
    f"- images/<id>.png: the {len(present)} images of all splits;\n"
    f"- multilabel_classification/train.csv ({len(splits['train'])} images): id, categories (a list such as "
    "\"[1.0, 9.0]\"); object_detection/train.json: the same images' bounding boxes (COCO format);\n"
    f"- dev.csv ({len(splits['dev'])} images) and test.csv ({len(splits['test'])}): ids only;\n"
    f"- category_key.csv: id, name, supercat of the {len(known)} categories.\n")
