"""The wire format between a scorer and the process running the agent's code.

A frame is an 8-byte length, a 4-byte header length, a JSON header and the raw bytes of any numpy
arrays. JSON carries None, bools, numbers, strings, lists and string-keyed dicts; tuples travel as
lists; other dicts as ``{"__items__": [[key, value], ...]}``; arrays as ``{"__nd__": [offset,
nbytes], "dtype": ..., "shape": ...}``; a player-owned RNG as ``{"__rng__": key}``. Decoding is
strict: the sender may be hostile (size caps, numeric dtypes only, bounds checked), and nothing is
ever unpickled.
"""

import json
import struct

MAX_FRAME = 256 << 20
_MARKERS = {"__items__", "__nd__", "__rng__"}
_DTYPES = {"b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8"}


class ChannelError(Exception):
    """A frame that breaks the format (too big, malformed, unknown types)."""


class PlayerRng:
    """Stands for a ``random.Random`` that lives in the player, created from ``key`` on first use."""

    def __init__(self, key):
        self.key = key


def encode(value):
    """One frame holding ``value``."""
    buffers = []
    offset = [0]

    def walk(obj):
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        if isinstance(obj, (list, tuple)):
            return [walk(x) for x in obj]
        if isinstance(obj, dict):
            if all(isinstance(k, str) for k in obj) and not _MARKERS & obj.keys():
                return {k: walk(v) for k, v in obj.items()}
            return {"__items__": [[walk(k), walk(v)] for k, v in obj.items()]}
        if isinstance(obj, PlayerRng):
            return {"__rng__": obj.key}
        kind = type(obj).__module__
        if kind == "numpy":
            import numpy as np

            if isinstance(obj, np.ndarray):
                array = np.ascontiguousarray(obj)
                code = array.dtype.str[1:]
                if code not in _DTYPES:
                    raise TypeError(f"arrays of dtype {array.dtype} cannot be sent")
                data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
                buffers.append(data)
                offset[0] += len(data)
                return {"__nd__": [offset[0] - len(data), len(data)], "dtype": code, "shape": list(array.shape)}
            if isinstance(obj, np.generic):
                return walk(obj.item())
        raise TypeError(f"a value of type {type(obj).__name__} cannot be sent")

    header = json.dumps(walk(value)).encode()
    body = struct.pack("<I", len(header)) + header + b"".join(buffers)
    if len(body) > MAX_FRAME:
        raise ChannelError(f"frame of {len(body)} bytes is over the {MAX_FRAME} byte cap")
    return struct.pack("<Q", len(body)) + body


def frame_length(prefix):
    """The body length announced by an 8-byte prefix (ChannelError past the cap)."""
    (length,) = struct.unpack("<Q", prefix)
    if length > MAX_FRAME or length < 4:
        raise ChannelError(f"a frame of {length} bytes breaks the format (cap {MAX_FRAME})")
    return length


def decode(body, rngs=None):
    """The value of a frame body; ``rngs`` maps RNG keys to the player's random.Random objects."""
    try:
        (size,) = struct.unpack_from("<I", body)
        header = json.loads(body[4:4 + size])
        data = memoryview(body)[4 + size:]
    except (struct.error, ValueError, RecursionError) as exc:
        raise ChannelError(f"malformed frame: {exc}") from None

    def walk(obj):
        if isinstance(obj, list):
            return [walk(x) for x in obj]
        if not isinstance(obj, dict):
            return obj
        if "__nd__" in obj:
            return array(obj)
        if "__items__" in obj:
            items = obj["__items__"]
            if not isinstance(items, list) or not all(isinstance(p, list) and len(p) == 2 for p in items):
                raise ChannelError("malformed dict items")
            return {_hashable(walk(k)): walk(v) for k, v in items}
        if "__rng__" in obj:
            if rngs is None:
                raise ChannelError("unexpected RNG")
            import random

            key = obj["__rng__"]
            if not isinstance(key, (int, str)):
                raise ChannelError("malformed RNG key")
            return rngs.setdefault(key, random.Random(key))
        return {k: walk(v) for k, v in obj.items()}

    def array(obj):
        import numpy as np

        try:
            start, nbytes = obj["__nd__"]
            code, shape = obj["dtype"], tuple(obj["shape"])
            if code not in _DTYPES or not all(isinstance(n, int) and n >= 0 for n in shape + (start, nbytes)):
                raise ValueError("bad dtype or shape")
            dtype = np.dtype("<" + code)
            count = 1
            for n in shape:
                count *= n
            if count * dtype.itemsize != nbytes or start + nbytes > len(data):
                raise ValueError("sizes do not match")
            return np.frombuffer(data[start:start + nbytes], dtype=dtype).reshape(shape).copy()
        except (KeyError, TypeError, ValueError) as exc:
            raise ChannelError(f"malformed array: {exc}") from None

    try:
        return walk(header)
    except RecursionError:
        raise ChannelError("malformed frame: nested too deeply") from None


def _hashable(key):
    if isinstance(key, list):
        return tuple(_hashable(k) for k in key)
    if isinstance(key, dict):
        raise ChannelError("a dict cannot be a dict key")
    return key
