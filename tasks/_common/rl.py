"""Shared by the graders of the gymnax tasks: the agent's policy acts in held-out environments.

The scorer owns the environments (vectorised gymnax, jitted here), their seeds, the steps and the
returns; the policy runs in a player process (player.py, through loader.py) and is asked, once per
time step, for the actions of all environments at once. Each environment plays one episode from
the split's hidden seed; rewards after an episode's end are not counted. Every reply is checked:
a wrong shape, a non-number, an action outside the action space, an exception or a hang makes the
submission invalid, never a score.
"""

import json
import os
from pathlib import Path

import numpy as np
from kit import fail, numeric_array, parse_args, report, require
from player import Player, PlayerError

LOADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loader.py")
#: Seconds for load(folder), for the first act call (it may compile), and for every later one.
LOAD_TIMEOUT, FIRST_TIMEOUT, STEP_TIMEOUT = 180.0, 120.0, 10.0


def check_actions(actions, space, episodes, t):
    """The policy's reply as an array the environments take, or an invalid-submission report."""
    discrete = not hasattr(space, "low")
    actions = numeric_array(actions, "act", f"at step {t}")
    want = (episodes,) if discrete else (episodes,) + tuple(space.shape)
    if actions.ndim == 0 or actions.shape[0] != episodes or actions.size != int(np.prod(want)):
        fail(f"act returned an array of shape {actions.shape} at step {t}; expected {want} (one action per "
             "environment)")
    actions = actions.reshape(want).astype(np.float64)
    if not np.all(np.isfinite(actions)):
        fail(f"act returned actions that are not finite (NaN or infinite) at step {t}")
    if discrete:
        if not np.all((actions == np.round(actions)) & (actions >= 0) & (actions < space.n)):
            bad = actions[(actions != np.round(actions)) | (actions < 0) | (actions >= space.n)][:3]
            fail(f"act returned actions {bad.tolist()} at step {t}; actions are whole numbers 0-{space.n - 1}")
        return actions.astype(np.int32)
    return np.clip(actions, space.low, space.high).astype(np.float32)  # as the environment clips them


def run_episodes(env_name, player, seed, episodes):
    """Mean return (and more) of one episode per environment, with the policy's actions."""
    import gymnax
    import jax

    env, params = gymnax.make(env_name)
    space = env.action_space(params)
    reset = jax.jit(jax.vmap(env.reset, in_axes=(0, None)))
    step = jax.jit(jax.vmap(env.step, in_axes=(0, 0, 0, None)))
    key, k = jax.random.split(jax.random.PRNGKey(seed))
    obs, state = reset(jax.random.split(k, episodes), params)
    returns, lengths = np.zeros(episodes), np.zeros(episodes, dtype=np.int64)
    live = np.ones(episodes, dtype=bool)
    t = 0
    while live.any() and t <= params.max_steps_in_episode:
        try:
            actions = player.call("call", "", np.asarray(obs, dtype=np.float32),
                                  timeout=FIRST_TIMEOUT if t == 0 else STEP_TIMEOUT)
        except PlayerError as exc:
            fail(f"act failed at step {t}: {exc}")
        actions = check_actions(actions, space, episodes, t)
        key, k = jax.random.split(key)
        obs, state, reward, terminated, truncated, _ = step(jax.random.split(k, episodes), state, actions, params)
        returns += np.where(live, np.asarray(reward, dtype=np.float64), 0.0)
        lengths += live
        live &= ~np.asarray(terminated | truncated)
        t += 1
    return {"mean_return": round(float(returns.mean()), 4), "std_return": round(float(returns.std()), 4),
            "mean_length": round(float(lengths.mean()), 2), "episodes": episodes}


def main(env_name):
    """Command line of a gymnax grader: policy.py's load(checkpoints/) plays the split's episodes."""
    args = parse_args()
    split = json.loads((Path(args.hidden) / "splits.json").read_text())[args.split]
    path = require(args.submission, "policy.py", "define load(folder), returning act(obs) (see train.py)")
    folder = os.path.join(args.submission, "checkpoints")
    if not os.path.isdir(folder):
        fail("no checkpoints/ in the workspace; policy.py's load(folder) gets that folder (train.py writes it)")
    try:
        player = Player(LOADER, ["load", "call"], label="policy.py")  # never the hidden seed
    except PlayerError as exc:
        fail(str(exc))
    with player:
        try:
            player.call("load", path, folder, timeout=LOAD_TIMEOUT)
        except PlayerError as exc:
            fail(f"load(checkpoints) failed: {exc}")
        report(run_episodes(env_name, player, split["seed"], split["episodes"]))


def prepare(out, readme, splits):
    """A gymnax task's prepare step: a public README, hidden seeds (never shown to the agent)."""
    out = Path(out)
    (out / "public" / "README.md").write_text(readme)
    (out / "hidden" / "splits.json").write_text(json.dumps(splits, indent=1))
