"""The policy network, shared by train.py and the grader.

The grader calls `load(folder)` once with the submitted `checkpoints/` folder, then calls the returned
`act(obs)` once per time step with the observations of all its environments, (n_envs, *obs_shape)
float32, and wants their actions back: (n_envs,) integers for a discrete action space, (n_envs, 1)
floats for a continuous one. Row i is always environment i.

The network is two MLPs (actor and critic) with tanh activations, kept as a flat dict of arrays
("actor/0/w", ...), saved with numpy. Observations are first standardised with a fixed mean and
standard deviation ("obs_mean", "obs_std", measured by train.py, never trained). A continuous
policy is a Gaussian with a learned, state-independent log standard deviation ("log_std").
"""

import math
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np


def init(key, obs_size, action_dim, discrete, hidden=64, layers=2):
    """Fresh parameters: orthogonal weights, zero biases, a small actor output layer."""
    params = {"obs_mean": jnp.zeros(obs_size), "obs_std": jnp.ones(obs_size)}
    for head, out, scale in (("actor", action_dim, 0.01), ("critic", 1, 1.0)):
        sizes = [obs_size] + [hidden] * layers
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            key, k = jax.random.split(key)
            params[f"{head}/{i}/w"] = jax.nn.initializers.orthogonal(math.sqrt(2))(k, (a, b))
            params[f"{head}/{i}/b"] = jnp.zeros(b)
        key, k = jax.random.split(key)
        params[f"{head}/out/w"] = jax.nn.initializers.orthogonal(scale)(k, (hidden, out))
        params[f"{head}/out/b"] = jnp.zeros(out)
    if not discrete:
        params["log_std"] = jnp.zeros(action_dim)
    return params


def forward(params, obs):
    """(actor output, value) for a batch of observations: logits, or the Gaussian's mean."""
    x = obs.reshape(obs.shape[0], -1).astype(jnp.float32)
    x = (x - jax.lax.stop_gradient(params["obs_mean"])) / jax.lax.stop_gradient(params["obs_std"])
    outputs = []
    for head in ("actor", "critic"):
        h = x
        i = 0
        while f"{head}/{i}/w" in params:
            h = jnp.tanh(h @ params[f"{head}/{i}/w"] + params[f"{head}/{i}/b"])
            i += 1
        outputs.append(h @ params[f"{head}/out/w"] + params[f"{head}/out/b"])
    return outputs[0], outputs[1][:, 0]


def save(params, folder):
    Path(folder).mkdir(parents=True, exist_ok=True)
    np.savez(Path(folder) / "params.npz", **{k: np.asarray(v) for k, v in params.items()})


def load(folder):
    """The policy in `folder` as a function of a batch of observations: greedy actions (the mode)."""
    with np.load(Path(folder) / "params.npz", allow_pickle=False) as data:
        params = {k: jnp.asarray(data[k]) for k in data.files}
    discrete = "log_std" not in params

    @jax.jit
    def greedy(obs):
        out, _value = forward(params, obs)
        return jnp.argmax(out, axis=-1) if discrete else jnp.clip(out, -1.0, 1.0)

    def act(obs):
        return np.asarray(greedy(jnp.asarray(obs, jnp.float32)))

    return act
