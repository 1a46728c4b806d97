"""Write a synthetic stand-in for the competition's four files: the same names, columns and formats
(train_clinical_data.csv, train_proteins.csv, train_peptides.csv, supplemental_clinical_data.csv), random
content. Each patient has a hidden severity and rate of progression that set the UPDRS scores of its visits;
three of the twelve proteins (and their peptides) move with the severity, so that models have something to
learn. The first visit and about half of the later ones have a protein sample; the supplemental patients have
none. For tests of the loader, baseline and grader; never a real score.

Usage: python standin.py FOLDER
"""

import csv
import math
import random
import sys
from pathlib import Path

rng = random.Random(5)
MONTHS = [0, 3, 6, 9, 12, 18, 24, 30, 36, 42, 48, 54, 60, 72, 84, 96, 108]
PROTEINS = [f"{rng.choice('OPQ')}{rng.randrange(10**5):05d}" for _ in range(12)]
PEPTIDES = {p: ["".join(rng.choice("ACDEFGHIKLMNPQRSTVWY") for _ in range(rng.randint(8, 16)))
                for _ in range(2)] for p in PROTEINS}
MARKERS = PROTEINS[:3]  # the proteins whose abundance follows severity
CLINICAL = ["visit_id", "patient_id", "visit_month", "updrs_1", "updrs_2", "updrs_3", "updrs_4",
            "upd23b_clinical_state_on_medication"]


def updrs(mean, share_missing=0.02):
    return "" if rng.random() < share_missing else f"{max(0.0, round(mean + rng.gauss(0, 1.5))):.1f}"


def patient(pid, sampled):
    severity, rate = rng.gauss(0, 1), abs(rng.gauss(0.6, 0.3))
    last = rng.randrange(4, len(MONTHS))
    months = [0] + [m for m in MONTHS[1:last] if rng.random() < 0.6]
    clinical, proteins, peptides = [], [], []
    for month in months:
        visit, level = f"{pid}_{month}", severity + rate * month / 24
        clinical.append({"visit_id": visit, "patient_id": pid, "visit_month": month,
                         "updrs_1": updrs(6 + 2.5 * level), "updrs_2": updrs(6 + 3.5 * level),
                         "updrs_3": updrs(18 + 8 * level), "updrs_4": updrs(1 + level, share_missing=0.4),
                         "upd23b_clinical_state_on_medication": rng.choice(["On", "Off", "", ""])})
        if not sampled or (month > 0 and rng.random() < 0.5):
            continue
        for protein in PROTEINS:
            npx = math.exp(rng.gauss(11 + 0.8 * severity * (protein in MARKERS), 0.2))
            proteins.append({"visit_id": visit, "visit_month": month, "patient_id": pid, "UniProt": protein,
                             "NPX": f"{npx:.1f}"})
            for peptide in PEPTIDES[protein]:
                peptides.append({"visit_id": visit, "visit_month": month, "patient_id": pid, "UniProt": protein,
                                 "Peptide": peptide, "PeptideAbundance": f"{npx * rng.uniform(0.2, 0.9):.2f}"})
    return clinical, proteins, peptides


def write(path, rows, columns):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


folder = Path(sys.argv[1])
ids = rng.sample(range(50, 66000), 130)
train = [patient(pid, sampled=True) for pid in ids[:90]]
supplemental = [patient(pid, sampled=False) for pid in ids[90:]]
write(folder / "train_clinical_data.csv", [r for c, _, _ in train for r in c], CLINICAL)
write(folder / "train_proteins.csv", [r for _, p, _ in train for r in p],
      ["visit_id", "visit_month", "patient_id", "UniProt", "NPX"])
write(folder / "train_peptides.csv", [r for _, _, p in train for r in p],
      ["visit_id", "visit_month", "patient_id", "UniProt", "Peptide", "PeptideAbundance"])
write(folder / "supplemental_clinical_data.csv", [r for c, _, _ in supplemental for r in c], CLINICAL)
