"""Build the data of rl_meta_maze: a public README, the hidden evaluation seeds.

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden)

Dev and test each play 256 episodes of gymnax's MetaMaze-misc from a seed of their own; the seeds
live only here and in hidden/ (never in the agent's data or description).
"""

import sys

from rl import prepare

prepare(sys.argv[1], readme=(
    "gymnax MetaMaze-misc: a 9x9 maze with a hidden goal cell, fixed for the episode. Observation (15,) float32: "
    "the 3x3 walls around the agent (9), the last action one-hot (4), the last reward, the time step. Actions 0-3: "
    "up, right, down, left. Reaching the goal gives +10 and puts the agent back at a random cell; an episode "
    "lasts 200 steps.\n"),
    splits={"dev": {"seed": 250635459, "episodes": 256}, "test": {"seed": 1286944285, "episodes": 256}})
