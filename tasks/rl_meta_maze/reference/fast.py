# Reference solution for rl_meta_maze, as notebook cells (the quick version for `tasks check --fast`): the baseline's PPO with standardised
# observations (the time step grows to 200 and swamps the other inputs) and twice the steps.
# %%
import yaml

with open("config.yaml") as f:
    config = yaml.safe_load(f)
config.update(normalize_obs=True, total_steps=4_000_000)
with open("reference.yaml", "w") as f:
    yaml.safe_dump(config, f)
# %%
%run train.py --config reference.yaml --steps 500000
# %%
%validate
# %%
%submit
