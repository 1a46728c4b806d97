# Reference solution for rl_breakout_minatar, as notebook cells (the quick version for `tasks check --fast`):
# the baseline's PPO with an entropy bonus and a higher learning rate, for 500,000 steps.
# %%
import yaml

with open("config.yaml") as f:
    config = yaml.safe_load(f)
config.update(ent_coef=0.01, lr=0.001)
with open("reference.yaml", "w") as f:
    yaml.safe_dump(config, f)
# %%
%run train.py --config reference.yaml --steps 500000
# %%
%validate
# %%
%submit
