"""Baseline strategy for iterated Colonel Blotto (row player): a random allocation each round."""

import random


def row_strategy(history: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> list[int]:
    """Spread 120 soldiers over 6 battlefields at random."""
    weights = [random.random() for _ in range(6)]
    allocation = [int(120 * w / sum(weights)) for w in weights]
    allocation[0] += 120 - sum(allocation)
    return allocation
