# Reference solution for prisoners_dilemma, as notebook cells. It beats the baseline by
# reciprocating without noise, forgiving a lone defection and exploiting unconditional cooperators.
# %%
%%writefile strategy.py
def row_strategy(history):
    if not history:
        return 0
    theirs = [t for _, t in history]
    if len(history) >= 4 and all(t == 0 for t in theirs) and history[-1][0] == 0 and len(history) % 4 == 0:
        return 1  # probe: does this opponent ever retaliate?
    if len(history) >= 2 and all(t == 1 for t in theirs[-2:]):
        return 1
    if sum(theirs) > len(theirs) / 2:
        return 1
    return theirs[-1]
# %%
%validate
# %%
%submit
