"""Baseline for the gymnax tasks: PPO (clipped surrogate objective, GAE) in JAX, on CPU.

Reads config.yaml (the environment and the hyper-parameters), trains, and saves the policy to
checkpoints/params.npz, which policy.py loads (the grader loads it the same way). Run it in the
notebook with `%run train.py`; `%run train.py --steps 200000` trains for fewer environment steps.

One update collects `num_steps` steps from each of `num_envs` environments (vectorised with
jax.vmap, auto-reset), computes advantages with GAE, then runs `epochs` passes of `minibatches`
gradient steps over the batch. The learning rate decays linearly to zero.
"""

import argparse
import time

import gymnax
import jax
import jax.numpy as jnp
import numpy as np
import optax
import policy
import yaml


def distribution(out, params, discrete):
    """log-probability and entropy functions of the actor's output."""
    if discrete:
        logp_all = jax.nn.log_softmax(out)
        return (lambda a: jnp.take_along_axis(logp_all, a[:, None], axis=1)[:, 0],
                lambda: -jnp.sum(jnp.exp(logp_all) * logp_all, axis=1))
    log_std = params["log_std"]

    def log_prob(a):
        return jnp.sum(-0.5 * ((a - out) / jnp.exp(log_std)) ** 2 - log_std - 0.5 * jnp.log(2 * jnp.pi), axis=1)

    return log_prob, lambda: jnp.sum(log_std + 0.5 * jnp.log(2 * jnp.pi * jnp.e)) * jnp.ones(out.shape[0])


def sample(key, out, params, discrete):
    if discrete:
        return jax.random.categorical(key, out)
    return out + jnp.exp(params["log_std"]) * jax.random.normal(key, out.shape)


def observation_stats(env, env_params, key, n_envs, steps=500):
    """Mean and standard deviation of the observations met by random actions (at least 1e-2)."""
    space = env.action_space(env_params)
    step_envs = jax.vmap(env.step, in_axes=(0, 0, 0, None))

    def step(carry, key):
        obs, state = carry
        k_act, k_env = jax.random.split(key)
        action = jax.vmap(space.sample)(jax.random.split(k_act, n_envs))
        obs, state, *_ = step_envs(jax.random.split(k_env, n_envs), state, action, env_params)
        return (obs, state), obs.reshape(n_envs, -1)

    key, k = jax.random.split(key)
    carry = jax.vmap(env.reset, in_axes=(0, None))(jax.random.split(k, n_envs), env_params)
    _, seen = jax.lax.scan(step, carry, jax.random.split(key, steps))
    seen = seen.reshape(-1, seen.shape[-1])
    return seen.mean(axis=0), jnp.maximum(seen.std(axis=0), 1e-2)


def make_update(cfg, env, env_params, discrete, optimizer):
    n_envs, n_steps = cfg["num_envs"], cfg["num_steps"]
    batch = n_envs * n_steps
    step_envs = jax.vmap(env.step, in_axes=(0, 0, 0, None))
    space = env.action_space(env_params)
    low, high = (None, None) if discrete else (space.low, space.high)

    def rollout_step(carry, _):
        params, env_state, obs, ep_return, key = carry
        key, k_act, k_env = jax.random.split(key, 3)
        out, value = policy.forward(params, obs)
        action = sample(k_act, out, params, discrete)
        log_prob, _ = distribution(out, params, discrete)
        # The environments get the actions clipped to the action space, as in the grader.
        env_action = action if discrete else jnp.clip(action, low, high)
        obs2, env_state, reward, terminated, truncated, info = step_envs(
            jax.random.split(k_env, n_envs), env_state, env_action, env_params)
        # A time limit is not a failure: bootstrap from the value of the state the episode was cut at.
        _, final_value = policy.forward(params, info["final_observation"])
        cut = jnp.logical_and(truncated, jnp.logical_not(terminated))
        done = jnp.logical_or(terminated, truncated)
        ep_return = ep_return + reward
        record = (obs, action, log_prob(action), value, reward + cfg["gamma"] * final_value * cut, done,
                  jnp.where(done, ep_return, 0.0))
        return (params, env_state, obs2, jnp.where(done, 0.0, ep_return), key), record

    def loss_fn(params, obs, action, old_log_prob, advantage, target):
        out, value = policy.forward(params, obs)
        log_prob, entropy = distribution(out, params, discrete)
        ratio = jnp.exp(log_prob(action) - old_log_prob)
        advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8)
        surrogate = jnp.minimum(ratio * advantage,
                                jnp.clip(ratio, 1 - cfg["clip"], 1 + cfg["clip"]) * advantage).mean()
        value_loss = 0.5 * ((value - target) ** 2).mean()
        return -surrogate + cfg["vf_coef"] * value_loss - cfg["ent_coef"] * entropy().mean()

    @jax.jit
    def update(params, opt_state, env_state, obs, ep_return, key):
        (params, env_state, obs, ep_return, key), (b_obs, b_act, b_logp, b_val, b_rew, b_done, b_ret) = jax.lax.scan(
            rollout_step, (params, env_state, obs, ep_return, key), None, length=n_steps)
        _, last_value = policy.forward(params, obs)

        def gae_step(carry, x):
            advantage, next_value = carry
            reward, value, done = x
            delta = reward + cfg["gamma"] * next_value * (1 - done) - value
            advantage = delta + cfg["gamma"] * cfg["gae_lambda"] * (1 - done) * advantage
            return (advantage, value), advantage

        _, advantages = jax.lax.scan(gae_step, (jnp.zeros(n_envs), last_value), (b_rew, b_val, b_done),
                                     reverse=True)
        targets = advantages + b_val
        data = [x.reshape((batch,) + x.shape[2:]) for x in (b_obs, b_act, b_logp, advantages, targets)]

        def epoch(carry, _):
            params, opt_state, key = carry
            key, k = jax.random.split(key)
            order = jax.random.permutation(k, batch).reshape(cfg["minibatches"], -1)

            def minibatch(carry, idx):
                params, opt_state = carry
                grads = jax.grad(loss_fn)(params, *[x[idx] for x in data])
                updates, opt_state = optimizer.update(grads, opt_state, params)
                return (optax.apply_updates(params, updates), opt_state), None

            (params, opt_state), _ = jax.lax.scan(minibatch, (params, opt_state), order)
            return (params, opt_state, key), None

        (params, opt_state, key), _ = jax.lax.scan(epoch, (params, opt_state, key), None, length=cfg["epochs"])
        return params, opt_state, env_state, obs, ep_return, key, (b_ret.sum(), b_done.sum())

    return update


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--steps", type=int, default=None, help="environment steps (default: the config's)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", default="checkpoints")
    args = parser.parse_args(argv)
    with open(args.config) as f:
        cfg = yaml.safe_load(f)
    steps = args.steps or cfg["total_steps"]
    seed = cfg["seed"] if args.seed is None else args.seed

    env, env_params = gymnax.make(cfg["env"])
    space = env.action_space(env_params)
    discrete = not hasattr(space, "low")
    action_dim = space.n if discrete else space.shape[0]
    obs_size = int(np.prod(env.observation_space(env_params).shape))
    per_update = cfg["num_envs"] * cfg["num_steps"]
    updates = max(1, steps // per_update)
    schedule = optax.linear_schedule(cfg["lr"], 0.0, updates * cfg["epochs"] * cfg["minibatches"])
    optimizer = optax.chain(optax.clip_by_global_norm(cfg["max_grad_norm"]), optax.adam(schedule, eps=1e-5))

    key = jax.random.PRNGKey(seed)
    key, k_init, k_reset = jax.random.split(key, 3)
    params = policy.init(k_init, obs_size, action_dim, discrete, cfg["hidden"], cfg["layers"])
    if not discrete:
        params["log_std"] = params["log_std"] + cfg.get("init_log_std", 0.0)
    obs, env_state = jax.vmap(env.reset, in_axes=(0, None))(jax.random.split(k_reset, cfg["num_envs"]), env_params)
    if cfg.get("normalize_obs", False):
        key, k = jax.random.split(key)
        params["obs_mean"], params["obs_std"] = observation_stats(env, env_params, k, cfg["num_envs"])
    opt_state = optimizer.init(params)
    ep_return = jnp.zeros(cfg["num_envs"])
    update = make_update(cfg, env, env_params, discrete, optimizer)

    start, returns, episodes = time.time(), 0.0, 0
    print(f"{cfg['env']}: {updates} updates of {per_update} steps")
    for i in range(updates):
        params, opt_state, env_state, obs, ep_return, key, (total, finished) = update(
            params, opt_state, env_state, obs, ep_return, key)
        returns, episodes = returns + float(total), episodes + int(finished)
        if (i + 1) % max(1, updates // 10) == 0 or i + 1 == updates:
            mean = f"{returns / episodes:.2f} over {episodes} episodes" if episodes else "- (no episode ended)"
            print(f"update {i + 1}/{updates}: {(i + 1) * per_update} steps, mean training return {mean} "
                  f"({time.time() - start:.0f} s)")
            returns, episodes = 0.0, 0
    policy.save(params, args.out)
    print(f"saved {args.out}/params.npz")


if __name__ == "__main__":
    main()
