"""Baseline branching heuristic for the DPLL solver in /data/solver.py: a random choice."""


def heuristic_fn(clauses: list[list[int]], assignment: dict[int, bool], rng) -> int:
    """Return the literal to try first: a variable that still occurs in ``clauses``, signed by the
    value to try (v: true first, -v: false first). ``rng`` is a seeded random.Random."""
    variables = sorted({abs(literal) for clause in clauses for literal in clause})
    variable = rng.choice(variables)
    return variable if rng.random() < 0.5 else -variable
