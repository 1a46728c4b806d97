# Reference solution for lm_shakespeare, as notebook cells: the baseline's GPT trained 3.6 times longer
# (about 8 M bytes, two passes over train.txt), with a higher peak learning rate.
# %%
%run train.py --iters 1800 --lr 3e-3
# %%
%validate
# %%
%submit
