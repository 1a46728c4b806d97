# Reference solution for rl_breakout_minatar, as notebook cells: the baseline's PPO with an entropy
# bonus (the greedy policy of the baseline collapses onto one action early) and a higher learning rate.
# %%
import yaml

with open("config.yaml") as f:
    config = yaml.safe_load(f)
config.update(ent_coef=0.01, lr=0.001)
with open("reference.yaml", "w") as f:
    yaml.safe_dump(config, f)
# %%
%run train.py --config reference.yaml
# %%
%validate
# %%
%submit
