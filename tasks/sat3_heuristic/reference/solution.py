# Reference solution for sat3_heuristic, as notebook cells: a MOMS/Jeroslow-Wang style choice,
# the literal that occurs most, weighted towards short clauses.
# %%
%%writefile heuristic.py
from collections import defaultdict


def heuristic_fn(clauses, assignment, rng):
    score = defaultdict(float)
    for clause in clauses:
        weight = 2.0 ** -len(clause)
        for literal in clause:
            score[literal] += weight
    return max(score, key=lambda lit: (score[lit] + score.get(-lit, 0.0), score[lit], -abs(lit)))
# %%
%validate
# %%
%submit
