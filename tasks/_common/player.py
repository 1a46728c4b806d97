"""Run the agent's code in a process of its own, for a scorer that must not trust it.

The scorer (a grader's evaluate.py) starts as root with only CAP_SETUID, CAP_SETGID, CAP_KILL and
CAP_DAC_READ_SEARCH. A ``Player`` runs one submitted module in a child process under another uid,
with no capabilities, a private /tmp folder and no way to read /secret (hidden data, grader code):

    with Player("/submission/strategy.py", ["row_strategy"]) as player:
        moves = player.map("row_strategy", [[history] for history in histories], timeout=5)

The scorer keeps the opponents, RNGs, counters and clocks; the player only answers calls over a
pipe (``channel``), and ``last_seconds`` is measured here, outside the agent's process. A crash, a
hang, a malformed reply or an exception in the agent's code raises ``PlayerError`` with the cause;
``kit.fail`` turns it into an invalid grade, never a score.
"""

import fcntl
import os
import select
import signal
import subprocess
import sys
import time

from channel import ChannelError, PlayerRng, decode, encode, frame_length  # noqa: F401 - PlayerRng for graders

PLAYER_UID = 1000
TRUSTED_UID = 1001
_HERE = os.path.dirname(os.path.abspath(__file__))
_STDERR_TAIL = 2000
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)


class PlayerError(Exception):
    """The agent's code crashed, hung, raised, or answered out of format."""


def isolated():
    """Whether players run under their own uid: the scorer is root, in a sandbox (not the plain-process one)."""
    return os.geteuid() == 0 and os.environ.get("MLGYM_ISOLATE_PLAYERS") != "0"


def _pids_of(uid):
    """Live (not zombie) processes of ``uid``."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid and _state(int(entry)) != "Z":
                            pids.append(int(entry))
                        break
        except (OSError, ValueError):
            continue
    return pids


def _signal_all(uid, signum, rounds=50):
    """Send ``signum`` to every process of ``uid`` until none is left running (new ones included)."""
    for _ in range(rounds):
        pids = [p for p in _pids_of(uid) if p != os.getpid()]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signum)
            except (ProcessLookupError, PermissionError):
                pass
        if signum == signal.SIGCONT:
            return
        if signum == signal.SIGSTOP and all(_state(p) in ("T", None) for p in pids):
            if set(_pids_of(uid)) <= set(pids):
                return
        time.sleep(0.01)


def _state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


class Player:
    """One submitted module in its own process, answering calls of ``functions``.

    Args:
        module: path of the Python file to load (in /submission, or /starter for a trusted baseline).
        functions: the names the scorer may call; a module without them is an invalid submission.
        uid: PLAYER_UID for the agent's code, TRUSTED_UID for code shipped with the task.
        seed: seeds the player's ``random`` module.
        load_timeout: seconds the module may take to import.
        label: how messages name the code (``strategy.py``).
    """

    def __init__(self, module, functions, uid=PLAYER_UID, seed=0, load_timeout=60.0, label=None):
        self.label = label or os.path.basename(module)
        self.uid = uid
        self.isolated = isolated()
        self.last_seconds = 0.0
        self.calls = 0
        self._stderr = b""
        self._watch_stderr = True
        request_r, self._request_w = os.pipe()
        self._reply_r, reply_w = os.pipe()
        for fd in (self._request_w, reply_w):  # arrays of up to a MiB cross in one write, not in 64 KiB turns
            try:
                fcntl.fcntl(fd, F_SETPIPE_SZ, 1 << 20)
            except OSError:
                pass
        options = {}
        if self.isolated:
            options = dict(user=uid, group=uid, extra_groups=[])
        env = {"PATH": "/opt/venv/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
               "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
        self.process = subprocess.Popen(
            [sys.executable, "-s", "-P", os.path.join(_HERE, "player_main.py"), module, ",".join(functions),
             str(seed), str(request_r), str(reply_w)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(request_r, reply_w),
            env=env, cwd="/", start_new_session=True, **options)
        os.close(request_r)
        os.close(reply_w)
        hello = self._receive(load_timeout, f"loading {self.label}")
        if not hello.get("ready"):
            self.close()
            raise PlayerError(str(hello.get("error", "the player did not start")))

    # -- calls ----------------------------------------------------------------------------------
    def call(self, function, *args, timeout=10.0):
        """``function(*args)`` in the player; raises PlayerError."""
        return self._request({"function": function, "args": list(args)}, timeout, function)

    def map(self, function, batch, timeout=10.0):
        """``[function(*args) for args in batch]`` in one round trip; raises PlayerError."""
        result = self._request({"function": function, "batch": [list(a) for a in batch]}, timeout, function)
        if not isinstance(result, list) or len(result) != len(batch):
            raise PlayerError(f"{self.label} answered a batch of {len(batch)} calls out of format")
        return result

    def _request(self, request, timeout, function):
        start = time.perf_counter()
        deadline = time.monotonic() + timeout
        self._write(encode(request), deadline, function)
        reply = self._receive(max(deadline - time.monotonic(), 0.0), function)
        self.last_seconds = time.perf_counter() - start
        self.calls += 1
        if "error" in reply:
            raise PlayerError(f"{function} in {self.label} raised {reply['error']}\n{reply.get('traceback', '')}")
        if "ok" not in reply:
            raise PlayerError(f"{self.label} answered out of format")
        return reply["ok"]

    # -- the pipe -------------------------------------------------------------------------------
    def _write(self, frame, deadline, what):
        view = memoryview(frame)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                self._give_up(f"{what} in {self.label} did not take its input within the time limit")
            _, writable, _ = select.select([], [self._request_w], [], left)
            if writable:
                try:
                    view = view[os.write(self._request_w, view[:1 << 20]):]
                except BrokenPipeError:
                    self._died(what)

    def _read(self, n, deadline, what):
        data = b""
        while len(data) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                self._give_up(f"{what} in {self.label} did not answer within the time limit")
            watched = [self._reply_r] + ([self.process.stderr] if self._watch_stderr else [])
            readable, _, _ = select.select(watched, [], [], left)
            if self.process.stderr in readable:  # drained as it comes: a flood must not block the player
                chunk = os.read(self.process.stderr.fileno(), 1 << 16)
                self._stderr = (self._stderr + chunk)[-_STDERR_TAIL:]
                self._watch_stderr = bool(chunk)
            if self._reply_r in readable:
                chunk = os.read(self._reply_r, min(n - len(data), 1 << 20))
                if not chunk:
                    self._died(what)
                data += chunk
        return data

    def _receive(self, timeout, what):
        deadline = time.monotonic() + timeout
        try:
            body = self._read(frame_length(self._read(8, deadline, what)), deadline, what)
            reply = decode(body)
        except ChannelError as exc:
            self.close()
            raise PlayerError(f"{self.label} sent a malformed reply ({exc})") from None
        if not isinstance(reply, dict):
            self.close()
            raise PlayerError(f"{self.label} sent a malformed reply")
        return reply

    def _give_up(self, message):
        self.close()
        raise PlayerError(message)

    def _died(self, what):
        self.close()
        code = self.process.returncode
        if code is not None and code < 0:
            how = f"was killed by {signal.Signals(-code).name}" if -code in signal.valid_signals() else f"got {code}"
            if code == -signal.SIGKILL:
                how += " (out of memory?)"
        else:
            how = f"exited with code {code}"
        tail = self._stderr.decode(errors="replace").strip()
        raise PlayerError(f"the process running {self.label} {how} during {what}" + (f":\n{tail}" if tail else ""))

    # -- control --------------------------------------------------------------------------------
    def freeze(self):
        """Stop every process of the player's uid (while the scorer times something else)."""
        if self.isolated:
            _signal_all(self.uid, signal.SIGSTOP)
        elif self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGSTOP)

    def thaw(self):
        if self.isolated:
            _signal_all(self.uid, signal.SIGCONT)
        elif self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGCONT)

    def close(self):
        """Kill the player and everything it started. Safe to call twice."""
        if self.isolated:
            _signal_all(self.uid, signal.SIGKILL)
        elif self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        for fd in (self._request_w, self._reply_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self._request_w = self._reply_r = -1
        if self.process.stderr:
            self.process.stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
