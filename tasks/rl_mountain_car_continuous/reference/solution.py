# Reference solution for rl_mountain_car_continuous, as notebook cells: the baseline's PPO with
# standardised observations (the raw velocity, at most 0.07, is too small for the network to use).
# %%
import yaml

with open("config.yaml") as f:
    config = yaml.safe_load(f)
config.update(normalize_obs=True)
with open("reference.yaml", "w") as f:
    yaml.safe_dump(config, f)
# %%
%run train.py --config reference.yaml
# %%
%validate
# %%
%submit
