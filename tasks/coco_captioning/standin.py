"""Write a synthetic stand-in for lmms-lab/COCO-Caption2017's val split: the same two parquet files and
columns (question_id, image as {bytes, path} with JPEG bytes, question, answer: the list of captions, id,
license, file_name, coco_url, height, width, date_captured), 160 small pictures of two coloured shapes,
one above the other, each with five captions that say which ("a red circle above a blue square"), so
that a model has something to learn. For tests of the loader, baseline and grader; never a real score.

Usage: python standin.py FOLDER   (writes FOLDER/data/val-0000{0,1}-of-00002.parquet)
"""

import io
import random
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image, ImageDraw

rng = random.Random(17)
COLOURS = {"red": (220, 40, 40), "green": (40, 170, 60), "blue": (40, 70, 220)}
SHAPES = ["circle", "square"]


def draw(canvas, shape, colour, box):
    if shape == "circle":
        canvas.ellipse(box, fill=colour)
    elif shape == "square":
        canvas.rectangle(box, fill=colour)
    else:
        x0, y0, x1, y1 = box
        canvas.polygon([((x0 + x1) // 2, y0), (x1, y1), (x0, y1)], fill=colour)


def picture():
    """(JPEG bytes, five captions) of a top shape above a bottom shape on a grey background."""
    (c1, c2), (s1, s2) = rng.sample(list(COLOURS), 2), (rng.choice(SHAPES), rng.choice(SHAPES))
    image = Image.new("RGB", (96, 96), tuple(rng.randrange(150, 200) for _ in range(3)))
    canvas = ImageDraw.Draw(image)
    x = rng.randrange(20, 40)
    draw(canvas, s1, COLOURS[c1], (x, 6, x + 34, 40))
    draw(canvas, s2, COLOURS[c2], (x, 52, x + 34, 88))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    captions = [f"a {c1} {s1} above a {c2} {s2}", f"A {c1} {s1} is above a {c2} {s2}.",
                f"a {c2} {s2} below a {c1} {s1}", f"There is a {c1} {s1} over a {c2} {s2}.",
                f"{c1} {s1} on top of {c2} {s2}"]
    return buffer.getvalue(), captions


folder = Path(sys.argv[1]) / "data"
folder.mkdir(parents=True, exist_ok=True)
for part in range(2):
    rows = []
    for i in range(80):
        image_id = 100000 + 80 * part + i
        name = f"{image_id:012d}.jpg"
        jpeg, captions = picture()
        rows.append({"question_id": name, "image": {"bytes": jpeg, "path": name},
                     "question": "Please carefully observe the image and come up with a caption for the image.",
                     "answer": captions, "id": 700000 + image_id, "license": rng.randrange(1, 9), "file_name": name,
                     "coco_url": f"http://images.cocodataset.org/val2017/{name}", "height": 96, "width": 96,
                     "date_captured": "2013-11-14 17:02:52"})
    pq.write_table(pa.Table.from_pylist(rows), folder / f"val-0000{part}-of-00002.parquet")
