"""A DPLL SAT solver with unit propagation whose branching is delegated to a heuristic.

A formula is a list of clauses; a clause is a list of non-zero ints (DIMACS literals: v or -v).
The solver counts its work deterministically: ``decisions`` (branching choices) and
``propagations`` (literals set by unit propagation).
"""

from __future__ import annotations

import random


class Budget(Exception):
    """The decision budget ran out."""


class Stats:
    def __init__(self) -> None:
        self.decisions = 0
        self.propagations = 0


def _simplify(clauses, literal):
    """Clauses after setting ``literal`` true, or None if a clause became empty."""
    out = []
    for clause in clauses:
        if literal in clause:
            continue
        if -literal in clause:
            reduced = [x for x in clause if x != -literal]
            if not reduced:
                return None
            out.append(reduced)
        else:
            out.append(clause)
    return out


def _propagate(clauses, assignment, stats):
    while True:
        unit = next((c[0] for c in clauses if len(c) == 1), None)
        if unit is None:
            return clauses
        assignment[abs(unit)] = unit > 0
        stats.propagations += 1
        clauses = _simplify(clauses, unit)
        if clauses is None:
            return None


def solve(clauses, heuristic, rng=None, max_decisions=20000):
    """(satisfiable, assignment or None, Stats). ``heuristic(clauses, assignment, rng)`` returns
    the literal to try first: an unassigned variable, signed by the value to try."""
    rng = rng or random.Random(0)
    stats = Stats()

    def dpll(clauses, assignment):
        clauses = _propagate([list(c) for c in clauses], assignment, stats)
        if clauses is None:
            return None
        if not clauses:
            return assignment
        literal = heuristic([list(c) for c in clauses], dict(assignment), rng)
        free = {abs(x) for c in clauses for x in c}
        if not isinstance(literal, int) or isinstance(literal, bool) or abs(literal) not in free:
            raise ValueError(f"the heuristic returned {literal!r}; it must return a literal (v or -v) of a "
                             "variable that still occurs in the clauses")
        stats.decisions += 1
        if stats.decisions > max_decisions:
            raise Budget
        for choice in (literal, -literal):
            reduced = _simplify(clauses, choice)
            if reduced is not None:
                trial = dict(assignment)
                trial[abs(choice)] = choice > 0
                found = dpll(reduced, trial)
                if found is not None:
                    return found
        return None

    try:
        found = dpll(clauses, {})
    except Budget:
        return None, None, stats
    return found is not None, found, stats


def satisfies(clauses, assignment):
    return all(any(assignment.get(abs(x), False) == (x > 0) for x in clause) for clause in clauses)


def first_variable(clauses, assignment, rng):
    return abs(clauses[0][0])


def sr_pair(n, rng):
    """A pair of formulas over n variables as in Selsam et al. (2018), SR(n): clauses of random width
    (1 + Bernoulli(0.3) + Geometric(0.4)) are added until the formula is unsatisfiable; flipping one
    literal of the last clause makes the satisfiable twin."""
    clauses = []
    while True:
        k = 2 + (rng.random() < 0.3)  # 1 + Bernoulli(0.3) + Geometric(0.4), the geometric counting from 1
        while rng.random() >= 0.4:
            k += 1
        k = min(k, n)
        clause = [v if rng.random() < 0.5 else -v for v in rng.sample(range(1, n + 1), k)]
        clauses.append(clause)
        sat, _, _ = solve(clauses, first_variable, max_decisions=10**9)
        if not sat:
            flipped = [list(c) for c in clauses]
            flipped[-1][0] = -flipped[-1][0]
            return clauses, flipped
