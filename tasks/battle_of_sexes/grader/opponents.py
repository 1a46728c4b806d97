"""Hidden opponents (column player, who prefers 1). Each sees history as (its move, the row player's move)."""


def stubborn(history, rng):
    return 1


def accommodating(history, rng):
    return 0


def follower(history, rng):
    return history[-1][1] if history else 1  # copies the row player's last move


def random_half(history, rng):
    return rng.randint(0, 1)


def alternator(history, rng):
    return len(history) % 2


def stubborn_then_yields(history, rng):
    yielded = len(history) >= 3 and all(row == 0 for _, row in history[-3:])
    return 0 if yielded else 1  # gives in after the row player insisted three times


def majority(history, rng):
    if not history:
        return 1
    zeros = sum(1 for _, row in history if row == 0)
    return 0 if zeros * 2 > len(history) else 1


def noisy_follower(history, rng):
    move = history[-1][1] if history else 1
    return move if rng.random() < 0.8 else 1 - move


OPPONENTS = {f.__name__: f for f in [stubborn, accommodating, follower, random_half, alternator,
                                     stubborn_then_yields, majority, noisy_follower]}
