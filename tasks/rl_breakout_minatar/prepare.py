"""Build the data of rl_breakout_minatar: a public README, the hidden evaluation seeds.

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden)

Dev and test each play 256 episodes of gymnax's Breakout-MinAtar from a seed of their own; the
seeds live only here and in hidden/ (never in the agent's data or description).
"""

import sys

from rl import prepare

prepare(sys.argv[1], readme=(
    "gymnax Breakout-MinAtar: a 10x10 Breakout. Observation (10, 10, 4) float32 of 0/1: the channels are the "
    "paddle, the ball, the ball's trail (its direction) and the bricks. Actions 0-2: no-op, left, right. +1 per "
    "broken brick (three new rows when all are cleared); the episode ends when the ball reaches the bottom, or "
    "after 1000 steps.\n"),
    splits={"dev": {"seed": 759348492, "episodes": 256}, "test": {"seed": 1514160171, "episodes": 256}})
