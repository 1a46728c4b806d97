"""Build the data of parkinsons_disease from the competition's four training files.

Usage: python prepare.py OUTDIR DATADIR   (reads DATADIR/*.csv; writes OUTDIR/public and OUTDIR/hidden)

Kaggle scored hidden patients through its time-series API, and their scores are not public, so the patients
of train_clinical_data.csv are split once, with a fixed seed: 70 % train (clinical data with the UPDRS
scores, proteins, peptides), 15 % dev and 15 % test (their visits, proteins and peptides, no scores). Each
dev or test visit asks for UPDRS parts 1-4 at that visit and 6, 12 and 24 months later; hidden/ holds the
scores of those that took place (a later visit of the patient with that part scored). The supplemental
clinical data (patients without samples) stays public, without any dev or test patient.
"""

import sys
from pathlib import Path

import pandas as pd

CLINICAL = ["visit_id", "patient_id", "visit_month", "updrs_1", "updrs_2", "updrs_3", "updrs_4",
            "upd23b_clinical_state_on_medication"]
COLUMNS = {"train_clinical_data.csv": CLINICAL, "supplemental_clinical_data.csv": CLINICAL,
           "train_proteins.csv": ["visit_id", "visit_month", "patient_id", "UniProt", "NPX"],
           "train_peptides.csv": ["visit_id", "visit_month", "patient_id", "UniProt", "Peptide", "PeptideAbundance"]}
HORIZONS = [0, 6, 12, 24]

out, data = Path(sys.argv[1]), Path(sys.argv[2])
frames = {}
for name, wanted in COLUMNS.items():
    # As text, so that the public files keep the real values exactly as Kaggle wrote them.
    frames[name] = pd.read_csv(data / name, dtype=str, keep_default_na=False)
    if list(frames[name].columns) != wanted:
        sys.exit(f"{data / name} does not have the competition's columns: expected {wanted}, "
                 f"found {list(frames[name].columns)}")
clinical = frames["train_clinical_data.csv"]

patients = pd.Series(sorted(clinical["patient_id"].unique(), key=int)).sample(frac=1, random_state=20261129).tolist()
cut = [int(len(patients) * 0.70), int(len(patients) * 0.85)]
split_of = {p: "train" if i < cut[0] else "dev" if i < cut[1] else "test" for i, p in enumerate(patients)}


def rows_of(frame, split):
    return frame[frame["patient_id"].map(split_of) == split]


def labels(visits):
    """The scores that each visit's predictions are compared with: (prediction_id, rating), where taken."""
    scored = {(row.patient_id, int(row.visit_month)): row for row in visits.itertuples()}
    found = []
    for (patient, month) in scored:
        for part in range(1, 5):
            for horizon in HORIZONS:
                later = scored.get((patient, month + horizon))
                rating = getattr(later, f"updrs_{part}") if later is not None else ""
                if rating != "":
                    found.append((f"{patient}_{month}_updrs_{part}_plus_{horizon}_months", rating))
    return pd.DataFrame(found, columns=["prediction_id", "rating"])


public, hidden = out / "public", out / "hidden"
for name in COLUMNS:
    if name != "supplemental_clinical_data.csv":
        rows_of(frames[name], "train").to_csv(public / name, index=False)
supplemental = frames["supplemental_clinical_data.csv"]
supplemental[~supplemental["patient_id"].map(split_of).isin(["dev", "test"])].to_csv(
    public / "supplemental_clinical_data.csv", index=False)
asked = []
for split in ("dev", "test"):
    visits = rows_of(clinical, split)
    visits[["visit_id", "patient_id", "visit_month"]].to_csv(public / f"{split}_visits.csv", index=False)
    rows_of(frames["train_proteins.csv"], split).to_csv(public / f"{split}_proteins.csv", index=False)
    rows_of(frames["train_peptides.csv"], split).to_csv(public / f"{split}_peptides.csv", index=False)
    labels(visits).to_csv(hidden / f"{split}_labels.csv", index=False)
    asked += [f"{patient}_{int(month)}_updrs_{part}_plus_{h}_months"
              for patient, month in zip(visits["patient_id"], visits["visit_month"], strict=True)
              for part in range(1, 5) for h in HORIZONS]
pd.DataFrame({"prediction_id": asked, "rating": 0}).to_csv(public / "sample_submission.csv", index=False)
(public / "README.md").write_text(
    f"Kaggle 'AMP Parkinson's Disease Progression Prediction' data, split by patient: "
    f"{cut[0]} train patients (train_*.csv, with UPDRS scores; supplemental_clinical_data.csv adds patients "
    f"without samples), {cut[1] - cut[0]} dev and {len(patients) - cut[1]} test patients (dev_*.csv, test_*.csv: "
    f"visits, proteins and peptides, no scores). sample_submission.csv lists every prediction_id to fill in. "
    "See the task description.\n")
