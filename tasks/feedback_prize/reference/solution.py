# Reference solution for feedback_prize, as notebook cells: ridge regression on TF-IDF word 1-2-grams and
# character 2-5-grams, plus scaled handcrafted features (length, paragraphs, word and sentence length,
# vocabulary richness, signs of careless writing), with the penalty chosen by cross-validation.
# %%
import re

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import RidgeCV
from sklearn.preprocessing import StandardScaler

MEASURES = ["cohesion", "syntax", "vocabulary", "phraseology", "grammar", "conventions"]
train = pd.read_csv("/data/train.csv")
rest = pd.concat([pd.read_csv("/data/dev.csv"), pd.read_csv("/data/test.csv")], ignore_index=True)


def handcrafted(texts):
    rows = []
    for text in texts:
        words = re.findall(r"[A-Za-z']+", text)
        sentences = [s for s in re.split(r"[.!?]+", text) if s.strip()]
        rows.append([np.log1p(len(words)), text.count("\n\n"), np.mean([len(w) for w in words] or [0]),
                     len(words) / max(len(sentences), 1), len({w.lower() for w in words}) / max(len(words), 1),
                     sum(len(w) >= 9 for w in words) / max(len(words), 1),
                     len(re.findall(r"\bi\b", text)) / max(len(words), 1),
                     len(re.findall(r"\b(?:dont|cant|wont|im|didnt|doesnt)\b", text, re.I)) / max(len(words), 1),
                     sum(s.strip()[:1].islower() for s in sentences) / max(len(sentences), 1),
                     text.count(",") / max(len(words), 1)])
    return np.array(rows)


words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, max_features=50000)
scaler = StandardScaler()
X = hstack([words.fit_transform(train["full_text"]), chars.fit_transform(train["full_text"]),
            csr_matrix(scaler.fit_transform(handcrafted(train["full_text"])))]).tocsr()
X_rest = hstack([words.transform(rest["full_text"]), chars.transform(rest["full_text"]),
                 csr_matrix(scaler.transform(handcrafted(rest["full_text"])))]).tocsr()
model = RidgeCV(alphas=[0.3, 1, 3, 10, 30]).fit(X, train[MEASURES].to_numpy())
print("alpha:", model.alpha_)
predicted = pd.DataFrame(model.predict(X_rest).clip(1, 5), columns=MEASURES)
predicted.insert(0, "text_id", rest["text_id"])
predicted.to_csv("submission.csv", index=False)
# %%
%validate
# %%
%submit
