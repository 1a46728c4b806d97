"""Write a synthetic stand-in for the competition's train.csv: the same columns and formats (12-character
hexadecimal text_id, essays with paragraph breaks, six scores from 1.0 to 5.0 in steps of 0.5), random
content. Each essay has three hidden traits (fluency, vocabulary, accuracy) that set its length and
connectives, its share of long words and its rate of errors, and the scores follow the traits, so that
models have something to learn. For tests of the loader, baseline and grader; never a real score.

Usage: python standin.py FOLDER
"""

import csv
import random
import sys
from pathlib import Path

rng = random.Random(11)
PLAIN = ("people school students think good thing time work make help because very much more like want "
         "know life way day friends teacher class home learn they have many some when would could").split()
RICH = ("consequently opportunity responsibility perspective significant environment beneficial "
        "independent consideration experience understanding development community essential").split()
LINKS = ["However,", "Moreover,", "For example,", "In addition,", "Therefore,", "On the other hand,"]
ERRORS = [("I ", "i "), ("don't", "dont"), ("their", "there"), ("is", "are"), (". ", " ")]


def sentence(vocabulary, fluency, accuracy):
    words = [rng.choice(RICH) if rng.random() < 0.08 + 0.06 * vocabulary else rng.choice(PLAIN)
             for _ in range(rng.randint(6, 14))]
    text = " ".join(words)
    text = (rng.choice(LINKS) + " " if rng.random() < 0.15 + 0.1 * fluency else "") + text
    text = ("I don't think " if rng.random() < 0.3 else "") + text
    text = text[0].upper() + text[1:] + ". "
    for right, wrong in ERRORS:
        if rng.random() < 0.35 - 0.15 * accuracy:
            text = text.replace(right, wrong, 1)
    return text


def score(value):
    return min(5.0, max(1.0, round((3.0 + value + rng.gauss(0, 0.25)) * 2) / 2))


rows = []
for _ in range(500):
    fluency, vocabulary, accuracy = (rng.gauss(0, 1) for _ in range(3))
    paragraphs = ["".join(sentence(vocabulary, fluency, accuracy) for _ in range(rng.randint(2, 4)))
                  for _ in range(max(1, round(3 + 1.2 * fluency + rng.gauss(0, 0.5))))]
    rows.append({"text_id": f"{rng.randrange(16**12):012X}", "full_text": "\n\n".join(p.strip() for p in paragraphs),
                 "cohesion": score(0.45 * fluency + 0.15 * vocabulary),
                 "syntax": score(0.25 * fluency + 0.35 * accuracy),
                 "vocabulary": score(0.5 * vocabulary),
                 "phraseology": score(0.3 * vocabulary + 0.25 * fluency),
                 "grammar": score(0.55 * accuracy),
                 "conventions": score(0.5 * accuracy + 0.1 * fluency)})

with open(Path(sys.argv[1]) / "train.csv", "w", newline="", encoding="utf-8") as f:
    writer = csv.DictWriter(f, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
