"""Baseline: for each UPDRS part and horizon, a random forest on visit_month alone (MLAgentBench's feature
choice; the proteins and peptides are not used).

Reads /data/train_clinical_data.csv and /data/supplemental_clinical_data.csv, reports SMAPE+1 on a
held-out fifth of the patients, refits on all of them and writes submission.csv (prediction_id,rating)
for every visit of /data/dev_visits.csv and /data/test_visits.csv.
"""

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor

PARTS, HORIZONS = [1, 2, 3, 4], [0, 6, 12, 24]


def smape1(truth, predicted):
    return 100 * np.mean(np.abs(predicted - truth) / ((predicted + truth) / 2 + 1))


def pairs(clinical, part, horizon):
    """(visit_month, the part's score `horizon` months later) for every visit whose later visit was scored."""
    later = clinical[["patient_id", "visit_month", f"updrs_{part}"]].dropna()
    later = later.assign(visit_month=later["visit_month"] - horizon)
    found = clinical[["patient_id", "visit_month"]].merge(later, on=["patient_id", "visit_month"])
    return found[["visit_month"]].to_numpy(), found[f"updrs_{part}"].to_numpy(), found["patient_id"].to_numpy()


def fit(clinical):
    return {(part, h): RandomForestRegressor(n_estimators=100, min_samples_leaf=5, random_state=0)
            .fit(*pairs(clinical, part, h)[:2]) for part in PARTS for h in HORIZONS}


clinical = pd.concat([pd.read_csv("/data/train_clinical_data.csv"),
                      pd.read_csv("/data/supplemental_clinical_data.csv")], ignore_index=True)

patients = clinical["patient_id"].unique()
held = np.random.default_rng(0).choice(patients, size=len(patients) // 5, replace=False)
models = fit(clinical[~clinical["patient_id"].isin(held)])
truth, predicted = [], []
for (part, h), model in models.items():
    X, y, who = pairs(clinical, part, h)
    truth.append(y[np.isin(who, held)])
    predicted.append(model.predict(X[np.isin(who, held)]))
print(f"held-out SMAPE+1: {smape1(np.concatenate(truth), np.concatenate(predicted)):.2f}")

models = fit(clinical)
visits = pd.concat([pd.read_csv("/data/dev_visits.csv"), pd.read_csv("/data/test_visits.csv")], ignore_index=True)
rows = []
for (part, h), model in models.items():
    rating = model.predict(visits[["visit_month"]].to_numpy())
    ids = visits["patient_id"].astype(str) + "_" + visits["visit_month"].astype(str) + f"_updrs_{part}_plus_{h}_months"
    rows.append(pd.DataFrame({"prediction_id": ids, "rating": rating}))
pd.concat(rows).to_csv("submission.csv", index=False)
print(f"wrote submission.csv: {sum(len(r) for r in rows)} predictions")
