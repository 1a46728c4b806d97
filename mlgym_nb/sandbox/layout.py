"""The layout every sandbox shares: mount points, users, the kernel and grader command lines.

Kernels and graders see the same paths whatever the backend (Docker, bubblewrap, a plain
process); ``kernels/Dockerfile`` creates these folders in the image (a test checks they agree).

Users:
- the agent's kernel runs as ``KERNEL_UID`` with no capabilities;
- a grader's scorer starts as root with only ``SCORER_CAPS`` and runs the agent's code as
  ``PLAYER_UID`` (code shipped with the task, such as the starter baseline, as ``TRUSTED_UID``),
  so that the agent's code can neither read the scorer's secrets nor touch its process.
"""

from __future__ import annotations

WORKSPACE = "/workspace"
"""The agent's files: read-write for the kernel, never mounted for graders."""
DATA = "/data"
"""The task's public data, read-only."""
CONN = "/conn"
"""The kernel's ZMQ ipc sockets and connection file."""
SUBMISSION = "/submission"
"""Graders: the copy of the declared submission files, read-only."""
COMMON = "/common"
"""Graders: code shared by the graders of a task folder (``tasks/_common``), read-only."""
STARTER = "/starter"
"""Graders: the task's starter files as shipped (the baseline), read-only."""
SECRET = "/secret"
"""Graders: a root-only (0700) folder holding what the agent's code must never read."""
HIDDEN = f"{SECRET}/hidden"
"""Graders: the hidden data (labels, seeds, opponents' data), read-only."""
GRADER = f"{SECRET}/grader"
"""Graders: the grader's own code, read-only."""

KERNEL_UID = 1000
PLAYER_UID = 1000
TRUSTED_UID = 1001
SCORER_CAPS = ("SETUID", "SETGID", "KILL", "DAC_READ_SEARCH")
"""What a scorer may do as root: start players under other uids, stop them, read the hidden data
whoever owns it on the host. Nothing else (no chown, no ptrace, no mounts, no raw network)."""

KERNEL_ENV = {"HOME": "/tmp", "IPYTHONDIR": "/tmp/.ipython", "JUPYTER_RUNTIME_DIR": "/tmp/.jrt",
              "MPLCONFIGDIR": "/tmp/.mpl", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
"""Kernel state goes to the tmpfs /tmp: the root is read-only, and IPython's history is faster there."""
RUNTIME_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}
"""Set in every kernel and grader, whatever the sandbox or image. OpenMP's threads (PyTorch's, scikit-learn's)
spin while they wait by default, so two PyTorch kernels side by side on two cores each took 5.4x their time
alone; waiting passively, 1.7x (bench/results.md, "OpenMP under contention"). The thread count and the
arithmetic stay the same, and so do the results."""

VENV = "/opt/venv"
"""The kernel family's Python environment."""
KERNEL_EXT_DIR = "/opt/venv-ext"
"""Where the kernel extension (%validate / %submit outside the harness) is importable from."""
KERNEL_ARGV = ["python", "-m", "ipykernel_launcher", "-f", f"{CONN}/kernel.json", "--ext=mlgym_kernel_ext"]
"""The kernel's command in its sandbox; ``python`` is the sandbox's interpreter."""


def grader_argv(script: str, split: str) -> list[str]:
    """The grader's command: ``script`` (a file name in GRADER) scores SUBMISSION on ``split``.

    ``-s -P``: no user site folder and no script folder on sys.path, so nothing the agent's code
    may leave in /tmp is imported by the scorer.
    """
    return ["python", "-s", "-P", f"{GRADER}/{script}", "--split", split, "--submission", SUBMISSION,
            "--hidden", HIDDEN]
