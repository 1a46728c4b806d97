"""Build the data of rl_mountain_car_continuous: a public README, the hidden evaluation seeds.

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden)

Dev and test each play 256 episodes of gymnax's MountainCarContinuous-v0 from a seed of their
own; the seeds live only here and in hidden/ (never in the agent's data or description).
"""

import sys

from rl import prepare

prepare(sys.argv[1], readme=(
    "gymnax MountainCarContinuous-v0: observation (position, velocity) float32; action one float in [-1, 1] "
    "(the force; clipped); reward -0.1 * action^2 per step, +100 on reaching the flag (position >= 0.45), "
    "which ends the episode; at most 999 steps.\n"),
    splits={"dev": {"seed": 191906581, "episodes": 256}, "test": {"seed": 975332077, "episodes": 256}})
