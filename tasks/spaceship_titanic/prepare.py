"""Build the data of spaceship_titanic from the competition's train.csv (the only labelled file).

Usage: python prepare.py OUTDIR DATADIR   (reads DATADIR/train.csv; writes OUTDIR/public and OUTDIR/hidden)

Kaggle's test.csv has no labels, so the labelled passengers are split once, with a fixed seed, by
travel group (a group's passengers, often a family, stay together): 70 % train (with Transported),
15 % dev and 15 % test without it; the dev and test labels go to hidden/.
"""

import csv
import random
import sys
from pathlib import Path

out, data = Path(sys.argv[1]), Path(sys.argv[2])
with open(data / "train.csv", newline="", encoding="utf-8") as f:
    reader = csv.DictReader(f)
    header, rows = list(reader.fieldnames or []), list(reader)
wanted = ["PassengerId", "HomePlanet", "CryoSleep", "Cabin", "Destination", "Age", "VIP", "RoomService", "FoodCourt",
          "ShoppingMall", "Spa", "VRDeck", "Name", "Transported"]
if header != wanted:
    sys.exit(f"{data / 'train.csv'} does not have the competition's columns: expected {wanted}, found {header}")

groups = sorted({row["PassengerId"].split("_")[0] for row in rows})
random.Random(20261128).shuffle(groups)
cut = [int(len(groups) * 0.70), int(len(groups) * 0.85)]
split_of = {g: "train" if i < cut[0] else "dev" if i < cut[1] else "test" for i, g in enumerate(groups)}
splits = {"train": [], "dev": [], "test": []}
for row in rows:
    splits[split_of[row["PassengerId"].split("_")[0]]].append(row)


def write(path, rows, columns):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


write(out / "public" / "train.csv", splits["train"], header)
for name in ("dev", "test"):
    write(out / "public" / f"{name}.csv", splits[name], header[:-1])
    write(out / "hidden" / f"{name}_labels.csv", splits[name], ["PassengerId", "Transported"])
(out / "public" / "README.md").write_text(
    f"Kaggle 'Spaceship Titanic' passengers, split by travel group: train.csv ({len(splits['train'])} rows, with "
    f"Transported), dev.csv ({len(splits['dev'])}) and test.csv ({len(splits['test'])}) without it. See the task "
    "description for the columns.\n")
