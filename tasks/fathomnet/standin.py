"""Write a synthetic stand-in for the FathomNet 2023 competition's data, in MLAgentBench's layout: category_key.csv
(id,name,supercat), multilabel_classification/train.csv (id,categories as "[1.0, 9.0]"), object_detection/
train.json (COCO) and images/<id>.png, but 300 images of 32 x 32 pixels and 12 categories. Each image shows
1-3 animals drawn as a coloured shape on dark water; nine common categories combine three colours with three
shapes (so colour alone does not tell them apart), three rare ones have colours of their own (prepare.py
holds out rare categories as the out-of-sample ones). For tests only; never a real score.

Usage: python standin.py FOLDER
"""

import csv
import json
import sys
import uuid
from pathlib import Path

import numpy as np
from PIL import Image

SIZE = 32
rng = np.random.default_rng(5)
COMMON = [(220, 60, 50), (230, 210, 60), (235, 235, 235)]
RARE = [(60, 220, 80), (220, 60, 220), (60, 220, 230)]
SHAPES = ["square", "disc", "cross"]
# (name, supercat, colour, shape, weight)
CATEGORIES = [(f"{shape} {i}", ["Sea star", "Anemone", "Crab"][i], colour, shape, 1.0)
              for i, colour in enumerate(COMMON) for shape in SHAPES]
CATEGORIES += [(f"deep {i}", "Fish", colour, SHAPES[i], 0.12) for i, colour in enumerate(RARE)]


def draw(img, colour, shape):
    """Paint one animal (about 9 pixels across) at a random place; returns its COCO bbox [x, y, w, h]."""
    half = int(rng.integers(3, 6))
    cy, cx = rng.integers(half, SIZE - half, 2)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    dy, dx = np.abs(yy - cy), np.abs(xx - cx)
    inside = {"square": (dy <= half) & (dx <= half), "disc": dy ** 2 + dx ** 2 <= half ** 2,
              "cross": ((dy <= 1) & (dx <= half)) | ((dx <= 1) & (dy <= half))}[shape]
    img[inside] = np.clip(np.array(colour) + rng.normal(0, 15, 3), 0, 255)
    return [int(cx - half), int(cy - half), 2 * half + 1, 2 * half + 1]


root = Path(sys.argv[1])
for sub in ("multilabel_classification", "object_detection", "images"):
    (root / sub).mkdir(parents=True, exist_ok=True)
with open(root / "category_key.csv", "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["id", "name", "supercat"])
    writer.writerows((i + 1, name, supercat) for i, (name, supercat, *_rest) in enumerate(CATEGORIES))

weights = np.array([c[4] for c in CATEGORIES])
rows, images, annotations = [], [], []
for n in range(300):
    ident = str(uuid.UUID(bytes=rng.bytes(16), version=4))
    img = np.clip(rng.normal([20, 40, 70], 12, (SIZE, SIZE, 3)), 0, 255)
    chosen = rng.choice(len(CATEGORIES), size=int(rng.integers(1, 4)), replace=False, p=weights / weights.sum())
    for c in chosen:
        name, _supercat, colour, shape, _w = CATEGORIES[c]
        annotations.append({"id": len(annotations) + 1, "image_id": n + 1, "category_id": int(c) + 1,
                            "segmentation": [], "area": 0.0, "bbox": draw(img, colour, shape), "iscrowd": 0})
    Image.fromarray(img.astype(np.uint8)).save(root / "images" / f"{ident}.png")
    images.append({"id": n + 1, "width": SIZE, "height": SIZE, "file_name": f"{ident}.png", "license": 0,
                   "flickr_url": "", "coco_url": "", "date_captured": "2020-01-01 00:00:00"})
    rows.append((ident, str([float(c + 1) for c in sorted(set(chosen))])))
with open(root / "multilabel_classification" / "train.csv", "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["id", "categories"])
    writer.writerows(rows)
coco = {"info": {"description": "stand-in"}, "licenses": [], "images": images, "annotations": annotations,
        "categories": [{"id": i + 1, "name": c[0], "supercategory": c[1]} for i, c in enumerate(CATEGORIES)]}
(root / "object_detection" / "train.json").write_text(json.dumps(coco))
