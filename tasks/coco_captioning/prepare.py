"""Build the data of coco_captioning from lmms-lab/COCO-Caption2017's val split: the 5,000 images of
COCO 2017 val, each with its five human captions, in two parquet files.

Usage: python prepare.py OUTDIR DATADIR   (reads DATADIR/data/val-*.parquet; writes OUTDIR/public and OUTDIR/hidden)

The images are shrunk to SIZE x SIZE RGB (squashed, not cropped: captions may speak of anything in the
picture) and stored as uint8 arrays; an image's id is the number in its file name (COCO's image id).
With a fixed seed, the images are split 80 / 10 / 10 into train (captions public), dev and test (captions
hidden).
"""

import io
import json
import random
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from PIL import Image

SIZE = 64
SEED = 20261129
COLUMNS = ["question_id", "image", "answer"]

out, data = Path(sys.argv[1]), Path(sys.argv[2]) / "data"
files = sorted(data.glob("val-*.parquet"))
if not files:
    sys.exit(f"{data} holds no val-*.parquet files")
images, captions = {}, {}
for path in files:
    table = pq.read_table(path)
    if not set(COLUMNS) <= set(table.column_names):
        sys.exit(f"{path} lacks the columns {sorted(set(COLUMNS) - set(table.column_names))}")
    for name, image, answer in zip(*(table.column(c).to_pylist() for c in COLUMNS), strict=True):
        image_id = int(Path(name).stem.split("_")[-1])
        with Image.open(io.BytesIO(image["bytes"])) as picture:
            images[image_id] = np.asarray(picture.convert("RGB").resize((SIZE, SIZE), Image.BILINEAR))
        captions[image_id] = [" ".join(c.split()) for c in answer]

ids = sorted(images)
random.Random(SEED).shuffle(ids)
cut = [len(ids) * 8 // 10, len(ids) * 9 // 10]
for split, chosen in (("train", ids[:cut[0]]), ("dev", ids[cut[0]:cut[1]]), ("test", ids[cut[1]:])):
    np.save(out / "public" / f"{split}_images.npy", np.stack([images[i] for i in chosen]))
    np.save(out / "public" / f"{split}_ids.npy", np.array(chosen, dtype=np.int64))
    where = out / ("public" if split == "train" else "hidden") / f"{split}_captions.json"
    where.write_text(json.dumps({str(i): captions[i] for i in chosen}, indent=0))
(out / "public" / "README.md").write_text(
    f"COCO 2017 val images (Lin et al., 2014), shrunk to {SIZE}x{SIZE} RGB, with their human captions. Captions: "
    "CC BY 4.0 (COCO Consortium); images: their Flickr licences, COCO's terms of use.\n\n"
    f"- train_images.npy ({cut[0]}, {SIZE}, {SIZE}, 3) uint8, train_ids.npy (COCO image ids), train_captions.json "
    "({id: [five captions]})\n"
    f"- dev_images.npy / dev_ids.npy ({cut[1] - cut[0]} images) and test_images.npy / test_ids.npy "
    f"({len(ids) - cut[1]}): their captions are hidden\n")
