# Reference solution for blotto, as notebook cells: win four battlefields by outbidding the
# opponent's last allocation where it was weakest; open with four equal fronts.
# %%
%%writefile strategy.py
import random


def row_strategy(history):
    fronts = random.sample(range(6), 4)
    opening = [30 if i in fronts else 0 for i in range(6)]
    if not history:
        return opening
    last = history[-1][1]
    cheapest = sorted(range(6), key=lambda i: last[i])[:4]
    allocation = [0] * 6
    for i in cheapest:
        allocation[i] = last[i] + 1
    spare = 120 - sum(allocation)
    if spare < 0:
        return opening
    for k in range(spare):
        allocation[cheapest[k % 4]] += 1
    return allocation
# %%
%validate
# %%
%submit
