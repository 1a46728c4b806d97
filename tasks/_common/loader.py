"""Runs in a player process (player.Player): a submission whose module defines ``load(folder)``,
which returns a callable, or an object whose methods the scorer then calls.

    with Player(os.path.join(COMMON, "loader.py"), ["load", "call"], label="policy.py") as player:
        player.call("load", "/submission/policy.py", "/submission/checkpoints", timeout=120)
        actions = player.call("call", "", observations, timeout=5)   # "": the loaded object itself

The submission's folder goes first on ``sys.path`` (its own modules import). Byte strings, which
the wire format does not carry, travel as one uint8 array and their lengths (``call_bytes``).
Results with ``__array__`` (jax, torch) come back as numpy arrays. Nothing here is trusted: the
scorer checks every reply.
"""

import importlib.util
import os
import sys

_loaded = []


def load(module_path, folder):
    """Import ``module_path`` and keep what its ``load(folder)`` returns; returns that value's type name."""
    sys.path.insert(0, os.path.dirname(module_path))
    name = os.path.basename(module_path)
    spec = importlib.util.spec_from_file_location(name[:-3], module_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pickle, dataclasses and the like find the module by name
    spec.loader.exec_module(module)
    if not callable(getattr(module, "load", None)):
        raise TypeError(f"{name} defines no function load(folder)")
    _loaded[:] = [module.load(folder)]
    return type(_loaded[0]).__name__


def _result(value):
    if hasattr(value, "__array__") and type(value).__module__.split(".")[0] != "numpy":
        import numpy as np

        return np.asarray(value)
    return value


def call(method, *args):
    """``loaded(*args)`` when ``method`` is "", else ``loaded.<method>(*args)``."""
    if not _loaded:
        raise RuntimeError("nothing is loaded")
    target = _loaded[0] if not method else getattr(_loaded[0], method)
    return _result(target(*args))


def call_bytes(method, data, lengths):
    """``call(method, strings)`` with the byte strings cut one after the other from the uint8 array ``data``."""
    raw, strings, start = bytes(data), [], 0
    for length in lengths:
        strings.append(raw[start:start + int(length)])
        start += int(length)
    return call(method, strings)
