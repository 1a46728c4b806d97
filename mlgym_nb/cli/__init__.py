"""`mlgym-nb`: tasks and their data, images and kernelspecs; episodes run, rerun, compared, listed; sweeps and
reports."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from ..errors import MlgymError
from . import data, episodes, run, setup, sweeps, tasks

EXIT_CODES = """exit codes:
  0    done (an episode ended by a submission or a budget; a rerun reproduced; a check passed)
  1    error: bad input, a missing service (Docker, data), a failed sweep episode, a rerun that did not
       reproduce, a check that failed
  2    usage error
  3    the agent could not go on: the model endpoint failed (api_error), replies without an action
       (format), repeated replies (repetition), the context window (context), a dead kernel (kernel_error)
  130  interrupted (Ctrl-C); a sweep resumes when run again
  141  the reader of the output went away (`| head`): stopped quietly
  143  terminated (SIGTERM): cleaned up as after Ctrl-C

environment: MLGYM_TASKS_PATH (task folders, colon-separated; also --tasks-dir), MLGYM_CACHE (prepared
data, live workspaces, wheels; default /var/tmp/mlgym_nb as root, else ~/.cache/mlgym_nb), MLGYM_DATA
(tasks' external data, fetched by `data fetch`; default <cache>/datasets),
MLGYM_MEMORY_DIR (the LLM agent's memory across episodes; default <cache>/memory), MLGYM_ROOT (the
checkout holding tasks/ and kernels/), OPENAI_BASE_URL and OPENAI_API_KEY (the model endpoint),
RAY_ADDRESS (the Ray cluster of --executor ray)."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mlgym_nb")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlgym-nb", description=__doc__, epilog=EXIT_CODES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"mlgym-nb {_version()}")
    parser.add_argument("--tasks-dir", action="append", default=[], metavar="DIR",
                        help="a folder of task folders to search first (repeatable; adds to $MLGYM_TASKS_PATH)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (tasks, data, setup, run, episodes, sweeps):
        module.add(sub)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM (from `timeout`, a scheduler, `kill`), raised like Ctrl-C so that containers and workspaces are
    cleaned up on the way out; Python's default would end the process at once and leave them running."""


def _terminate(signum, frame):
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.tasks_dir:  # in the environment, so that workers, kernels and graders started from here see it too
        paths = [str(Path(d).resolve()) for d in args.tasks_dir]
        os.environ["MLGYM_TASKS_PATH"] = os.pathsep.join(paths + [os.environ.get("MLGYM_TASKS_PATH", "")]).strip(
            os.pathsep)
    handler = logging.StreamHandler(sys.stdout)  # the library's progress messages ([images], [check]) for the user
    handler.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger("mlgym_nb").addHandler(handler)
    logging.getLogger("mlgym_nb").setLevel(logging.INFO)
    problem = getattr(args, "check", lambda a: None)(args)
    if problem:
        parser.exit(2, f"mlgym-nb {args.command}: {problem}\n")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args.func(args) or 0)
    except MlgymError as exc:
        print(f"mlgym-nb: error: {exc}", file=sys.stderr)
        return 1
    except Terminated:
        print("mlgym-nb: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("mlgym-nb: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader left (`mlgym-nb data status | head`): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # or the exit's flush fails again
        return 141


if __name__ == "__main__":
    sys.exit(main())
