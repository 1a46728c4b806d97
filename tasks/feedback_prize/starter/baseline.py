"""Baseline: ridge regression on TF-IDF word counts, one model for the six measures.

Reads /data/train.csv, reports MCRMSE on a held-out fifth of it, refits on all of it and writes
submission.csv (text_id and the six measures) for every essay of /data/dev.csv and /data/test.csv.
"""

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

MEASURES = ["cohesion", "syntax", "vocabulary", "phraseology", "grammar", "conventions"]


def mcrmse(truth, predicted):
    return np.sqrt(((truth - predicted) ** 2).mean(axis=0)).mean()


train = pd.read_csv("/data/train.csv")
rest = pd.concat([pd.read_csv("/data/dev.csv"), pd.read_csv("/data/test.csv")], ignore_index=True)
y = train[MEASURES].to_numpy()

model = make_pipeline(TfidfVectorizer(min_df=2), Ridge(alpha=1.0))
text_fit, text_held, y_fit, y_held = train_test_split(train["full_text"], y, test_size=0.2, random_state=0)
model.fit(text_fit, y_fit)
print(f"held-out MCRMSE: {mcrmse(y_held, model.predict(text_held)):.4f}")

model.fit(train["full_text"], y)
predicted = pd.DataFrame(model.predict(rest["full_text"]).clip(1, 5), columns=MEASURES)
predicted.insert(0, "text_id", rest["text_id"])
predicted.to_csv("submission.csv", index=False)
print(f"wrote submission.csv: {len(predicted)} essays")
