"""Hidden opponents. Each sees history as (its move, the row player's move) and a seeded RNG."""



def tit_for_tat(history, rng):
    return history[-1][1] if history else 0


def always_defect(history, rng):
    return 1


def always_cooperate(history, rng):
    return 0


def random_half(history, rng):
    return rng.randint(0, 1)


def grim_trigger(history, rng):
    return 1 if any(theirs == 1 for _, theirs in history) else 0


def pavlov(history, rng):
    if not history:
        return 0
    mine, theirs = history[-1]
    return mine if mine == theirs else 1 - mine  # win-stay, lose-shift


def tit_for_two_tats(history, rng):
    return 1 if len(history) >= 2 and history[-1][1] == history[-2][1] == 1 else 0


def suspicious_tit_for_tat(history, rng):
    return history[-1][1] if history else 1


def prober(history, rng):
    opening = [1, 0, 0]
    if len(history) < 3:
        return opening[len(history)]
    if history[1][1] == 0 and history[2][1] == 0:
        return 1  # never retaliated: exploit
    return history[-1][1]


def generous_tit_for_tat(history, rng):
    if history and history[-1][1] == 1:
        return 0 if rng.random() < 0.3 else 1
    return 0


def alternator(history, rng):
    return len(history) % 2


OPPONENTS = {f.__name__: f for f in [tit_for_tat, always_defect, always_cooperate, random_half, grim_trigger,
                                     pavlov, tit_for_two_tats, suspicious_tit_for_tat, prober,
                                     generous_tit_for_tat, alternator]}
