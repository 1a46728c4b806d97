# Reference solution for lm_shakespeare, as notebook cells (the quick version for `tasks check --fast`):
# the baseline's GPT trained for twice the fast baseline's steps, with a higher peak learning rate.
# %%
%run train.py --iters 200 --lr 3e-3 --warmup 20
# %%
%validate
# %%
%submit
