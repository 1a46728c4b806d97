"""Baseline strategy for the iterated Prisoner's Dilemma (row player)."""

import random


def row_strategy(history: list[tuple[int, int]]) -> int:
    """Copy the opponent's last move most of the time, otherwise play at random."""
    if not history:
        return 0
    if random.random() < 0.7:
        return history[-1][1]
    return random.randint(0, 1)
