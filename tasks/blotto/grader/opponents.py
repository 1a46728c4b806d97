"""Hidden Blotto opponents. Each sees history as (its allocation, the row player's allocation)."""

FIELDS, SOLDIERS = 6, 120


def _spread(weights):
    """Whole numbers proportional to weights, summing to SOLDIERS."""
    total = sum(weights)
    out = [int(SOLDIERS * w / total) for w in weights]
    for i in range(SOLDIERS - sum(out)):
        out[i % FIELDS] += 1
    return tuple(out)


def uniform(history, rng):
    return (20,) * FIELDS


def random_split(history, rng):
    return _spread([rng.random() + 0.01 for _ in range(FIELDS)])


def three_fronts(history, rng):
    fields = rng.sample(range(FIELDS), 3)
    return tuple(40 if i in fields else 0 for i in range(FIELDS))


def four_fronts(history, rng):
    fields = rng.sample(range(FIELDS), 4)
    return tuple(30 if i in fields else 0 for i in range(FIELDS))


def copycat(history, rng):
    return history[-1][1] if history else uniform(history, rng)


def counter_last(history, rng):
    """Beat the row player's last allocation on its four weakest fields."""
    if not history:
        return four_fronts(history, rng)
    last = history[-1][1]
    weakest = sorted(range(FIELDS), key=lambda i: last[i])[:4]
    out = [0] * FIELDS
    for i in weakest:
        out[i] = last[i] + 1
    spare = SOLDIERS - sum(out)
    for k in range(spare):
        out[weakest[k % 4]] += 1
    return tuple(out)


def lopsided(history, rng):
    return _spread([rng.choice([1, 1, 2, 6]) for _ in range(FIELDS)])


OPPONENTS = {f.__name__: f for f in [uniform, random_split, three_fronts, four_fronts, copycat, counter_last,
                                     lopsided]}
