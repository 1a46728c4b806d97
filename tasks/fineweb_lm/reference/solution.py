# Reference solution for fineweb_lm, as notebook cells: the baseline's GPT trained 1.6 times longer, with
# a higher peak learning rate (as lm_shakespeare's reference).
# %%
%run train.py --iters 800 --lr 3e-3
# %%
%validate
# %%
%submit
