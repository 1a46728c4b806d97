"""Baseline: logistic regression on six one-hot categorical columns (MLAgentBench's feature choice).

Reads /data/train.csv, reports accuracy on a held-out fifth of it, refits on all of it and writes
submission.csv (PassengerId,Transported) for every passenger of /data/dev.csv and /data/test.csv.
"""

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

CATEGORIES = ["HomePlanet", "CryoSleep", "Destination", "VIP", "Deck", "Side"]


def features(frame):
    cabin = frame["Cabin"].str.split("/", expand=True).reindex(columns=[0, 1, 2])
    frame = frame.assign(Deck=cabin[0], Side=cabin[2])
    return pd.get_dummies(frame[CATEGORIES].astype("string"), dummy_na=True)


train = pd.read_csv("/data/train.csv")
dev, test = pd.read_csv("/data/dev.csv"), pd.read_csv("/data/test.csv")
X = features(train)
y = train["Transported"].astype(bool)

X_fit, X_held, y_fit, y_held = train_test_split(X, y, test_size=0.2, random_state=0)
model = LogisticRegression(max_iter=1000).fit(X_fit, y_fit)
print(f"held-out accuracy: {model.score(X_held, y_held):.4f}")

model.fit(X, y)
rest = pd.concat([dev, test], ignore_index=True)
predicted = model.predict(features(rest).reindex(columns=X.columns, fill_value=False))
pd.DataFrame({"PassengerId": rest["PassengerId"], "Transported": predicted}).to_csv("submission.csv", index=False)
print(f"wrote submission.csv: {len(rest)} passengers")
