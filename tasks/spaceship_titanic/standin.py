"""Write a synthetic stand-in for the competition's train.csv: the same columns, formats and gaps, random
content (1,200 passengers; Transported depends on CryoSleep, spending and the home planet, so that models
have something to learn). For tests of the loader, baseline and grader; never a real score.

Usage: python standin.py FOLDER
"""

import csv
import random
import sys
from pathlib import Path

rng = random.Random(7)
PLANETS, DESTINATIONS = ["Earth", "Europa", "Mars"], ["TRAPPIST-1e", "PSO J318.5-22", "55 Cancri e"]
SPENDING = ["RoomService", "FoodCourt", "ShoppingMall", "Spa", "VRDeck"]


def gap(value, share=0.02):
    """The real file leaves about 2 % of each column empty."""
    return "" if rng.random() < share else value


rows, group = [], 0
while len(rows) < 1200:
    group += 1
    for member in range(1, rng.choice([1, 1, 1, 2, 2, 3, 4]) + 1):
        planet, cryo = rng.choice(PLANETS), rng.random() < 0.35
        spend = {k: 0.0 if cryo or rng.random() < 0.6 else float(round(rng.expovariate(1 / 400))) for k in SPENDING}
        odds = 0.25 + 0.5 * cryo + 0.1 * (planet == "Europa") - 0.15 * (sum(spend.values()) > 800)
        row = {"PassengerId": f"{group:04d}_{member:02d}", "HomePlanet": gap(planet), "CryoSleep": gap(str(cryo)),
               "Cabin": gap(f"{rng.choice('ABCDEFGT')}/{rng.randrange(1900)}/{rng.choice('PS')}"),
               "Destination": gap(rng.choice(DESTINATIONS)), "Age": gap(str(float(rng.randrange(80)))),
               "VIP": gap(str(rng.random() < 0.03)), **{k: gap(str(v)) for k, v in spend.items()},
               "Name": gap(f"Name{rng.randrange(10**5)} Family{group}"), "Transported": str(rng.random() < odds)}
        rows.append(row)

folder = Path(sys.argv[1])
with open(folder / "train.csv", "w", newline="", encoding="utf-8") as f:
    writer = csv.DictWriter(f, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
