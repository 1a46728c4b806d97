# Reference solution for rl_breakout_minatar, as notebook cells: the baseline's PPO with an entropy bonus,
# wider layers (256 units) and three times the steps (the baseline's policy settles at 6 bricks a game).
# %%
import yaml

with open("config.yaml") as f:
    config = yaml.safe_load(f)
config.update(ent_coef=0.01, lr=0.0005, hidden=256, total_steps=6_000_000)
with open("reference.yaml", "w") as f:
    yaml.safe_dump(config, f)
# %%
%run train.py --config reference.yaml
# %%
%validate
# %%
%submit
