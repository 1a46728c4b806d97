"""The process that runs the agent's code for a scorer (started by player.Player; never run by hand).

Usage: python -s -P player_main.py MODULE FUNCTIONS SEED REQUEST_FD REPLY_FD

It loads MODULE (a file of the submission), then answers requests read from REQUEST_FD by calling
the named FUNCTIONS, writing each reply to REPLY_FD. The agent's prints go nowhere (stdout is
/dev/null); its exceptions become error replies. It runs as an unprivileged uid that cannot read
the grader's secrets, and it is the first process the kernel kills when memory runs out.
"""

import importlib.util
import os
import random
import resource
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from channel import ChannelError, decode, encode, frame_length  # noqa: E402


def _read_exact(fd, n):
    data = b""
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _send(fd, value):
    try:
        frame = encode(value)
    except (TypeError, ValueError, ChannelError) as exc:
        frame = encode({"error": f"returned a value that cannot be sent back to the grader: {exc}"})
    view = memoryview(frame)
    while view:
        view = view[os.write(fd, view):]


def _error(exc, limit=4):
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-limit))
    return {"error": f"{type(exc).__name__}: {exc}", "traceback": text[-3000:]}


def main():
    module_path, functions, seed, request_fd, reply_fd = sys.argv[1:6]
    request_fd, reply_fd = int(request_fd), int(reply_fd)
    home = tempfile.mkdtemp(prefix="player-")  # private: other players cannot plant files here
    os.environ.update(HOME=home, TMPDIR=home)
    tempfile.tempdir = home
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")  # when memory runs out, the agent's code goes first, not the scorer
    except OSError:
        pass
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    random.seed(int(seed))
    os.chdir(home)
    sys.path.insert(0, os.path.dirname(module_path))
    name = os.path.basename(module_path)
    try:
        spec = importlib.util.spec_from_file_location(f"submitted_{name[:-3]}", module_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: B036 - SystemExit and the like are the agent's, reported as such
        reply = _error(exc)
        reply["error"] = f"{name} raised on import: {reply['error']}"
        _send(reply_fd, reply)
        return
    table = {}
    for function in functions.split(","):
        if not callable(getattr(module, function, None)):
            _send(reply_fd, {"error": f"{name} defines no function {function}", "missing": function})
            return
        table[function] = getattr(module, function)
    _send(reply_fd, {"ready": True})
    rngs = {}
    while True:
        prefix = _read_exact(request_fd, 8)
        if prefix is None:
            return
        body = _read_exact(request_fd, frame_length(prefix))
        if body is None:
            return
        request = decode(body, rngs)
        function = table[request["function"]]
        try:
            if "batch" in request:
                reply = {"ok": [function(*args) for args in request["batch"]]}
            else:
                reply = {"ok": function(*request["args"])}
        except BaseException as exc:  # noqa: B036
            reply = _error(exc)
        _send(reply_fd, reply)


if __name__ == "__main__":
    main()
