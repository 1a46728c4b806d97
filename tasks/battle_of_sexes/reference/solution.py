# Reference solution for battle_of_sexes, as notebook cells: insist on 0 for three rounds, keep it
# while the opponent comes to 0 at times, and meet it on 1 once it has not come for three rounds.
# %%
%%writefile strategy.py
def row_strategy(history):
    if len(history) < 3:
        return 0
    recent = [theirs for _, theirs in history[-3:]]
    return 0 if 0 in recent else 1
# %%
%validate
# %%
%submit
