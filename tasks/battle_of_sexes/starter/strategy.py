"""Baseline strategy for the iterated Battle of the Sexes (row player)."""

import random


def row_strategy(history: list[tuple[int, int]]) -> int:
    """Insist on 0 at first, then copy the opponent's last move with probability 0.5."""
    if not history:
        return 0
    return history[-1][1] if random.random() < 0.5 else 0
