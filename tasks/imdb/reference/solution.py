# Reference solution for imdb, as notebook cells: the same encoder fine-tuned longer and on more of each
# review (256 tokens instead of 128), with a warm-up and a linear decay of the learning rate.
# %%
import finetune
import pandas as pd
import torch

torch.set_num_threads(2)
train = pd.read_csv("/data/train.csv")
model, tokenizer = finetune.load("/data/minilm", num_labels=2)
finetune.fit(model, tokenizer, train["text"].tolist(), train["label"].to_numpy(), steps=400, batch_size=16,
             lr=6e-5, max_length=256, warmup=0.1, decay=True, weight_decay=0.01)
# %%
reviews = pd.concat([pd.read_csv("/data/dev.csv"), pd.read_csv("/data/test.csv")], ignore_index=True)
probabilities = finetune.predict(model, tokenizer, reviews["text"].tolist(), max_length=256)
submission = pd.DataFrame(probabilities, columns=["0", "1"])
submission.insert(0, "idx", reviews["idx"])
submission.to_csv("submission.csv", index=False)
# %%
%validate
# %%
%submit
