# Reference solution for spaceship_titanic, as notebook cells: gradient-boosted trees on every column,
# with the cabin split into deck, number and side, total spending and the travel group's size.
# %%
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

train = pd.read_csv("/data/train.csv")
rest = pd.concat([pd.read_csv("/data/dev.csv"), pd.read_csv("/data/test.csv")], ignore_index=True)
spending = ["RoomService", "FoodCourt", "ShoppingMall", "Spa", "VRDeck"]


def features(frame, groups):
    cabin = frame["Cabin"].str.split("/", expand=True).reindex(columns=[0, 1, 2])
    group = frame["PassengerId"].str.split("_").str[0]
    out = frame[["Age", *spending]].astype(float).assign(
        spent=frame[spending].sum(axis=1), cabin_number=pd.to_numeric(cabin[1]), group_size=group.map(groups))
    for column, values in [("HomePlanet", frame["HomePlanet"]), ("CryoSleep", frame["CryoSleep"]),
                           ("Destination", frame["Destination"]), ("VIP", frame["VIP"]), ("Deck", cabin[0]),
                           ("Side", cabin[2])]:
        out[column] = values.fillna("missing").astype(str).astype("category")
    return out


every = pd.concat([train, rest])["PassengerId"].str.split("_").str[0].value_counts()
X = features(train, every)
model = HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=300, learning_rate=0.05,
                                       random_state=0)
model.fit(X, train["Transported"].astype(bool))
predicted = model.predict(features(rest, every).astype(X.dtypes.to_dict()))
pd.DataFrame({"PassengerId": rest["PassengerId"], "Transported": predicted}).to_csv("submission.csv", index=False)
# %%
%validate
# %%
%submit
