"""`mlgym-nb`: list and check tasks, build images, install kernelspecs, run episodes."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import MlgymError


def _cmd_tasks(args: argparse.Namespace) -> int:
    from .tasks import list_tasks, load_task

    if args.action == "check":
        from .checks import check_task

        return check_task(load_task(args.id), sandbox=args.sandbox)
    for task_id in list_tasks():
        task = load_task(task_id)
        base = ", ".join(f"{k} {v:g}" for k, v in task.baseline.items())
        print(f"{task.id:24} {task.name:36} {task.metric.name} ({task.metric.direction}; baseline {base})")
    return 0


def _cmd_images(args: argparse.Namespace) -> int:
    from .sandbox import images

    for family in ([args.family] if args.family else images.families()):
        print(images.build_family(family, force=args.force))
    return 0


def _cmd_kernels(args: argparse.Namespace) -> int:
    from .kernelspec import install_kernelspecs

    for path in install_kernelspecs(args.tasks or None, user=not args.sys_prefix,
                                    prefix=sys.prefix if args.sys_prefix else None, sandbox=args.sandbox):
        print(path)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from .env import NotebookEnv
    from .tasks import load_task

    task = load_task(args.task)
    if args.agent != "replay":
        print(f"agent {args.agent!r} is not available yet; use --agent replay", file=sys.stderr)
        return 2
    cells = task.reference_cells()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    episode = Path(args.out) / f"{task.id}-replay-s{args.seed}-{stamp}.ipynb"
    print(f"[run] task {task.id}, agent replay of {task.reference}, seed {args.seed}, sandbox {args.sandbox}")
    with NotebookEnv(task, sandbox=args.sandbox, episode=episode, agent={"name": "replay", "source": task.reference},
                     max_steps=args.max_steps) as env:
        env.reset(seed=args.seed)
        print(f"[run] kernel ready in {env.session.sandbox.kind} sandbox; notebook {episode}")
        info: dict = {}
        for cell in cells:
            obs, reward, terminated, truncated, info = env.step(cell)
            first = cell.strip().splitlines()[0][:60]
            print(f"[step {info['step']:>3}] {first:60} -> {info['status']}"
                  + (f" (score {info['score']:g})" if "score" in info else ""))
            if terminated or truncated:
                break
        status = env.recorder.meta["exit_status"] if env.recorder else None
    scores = env.recorder.meta["scores"] if env.recorder else []
    final = scores[-1] if scores else None
    print(f"[run] exit status: {status or 'interrupted (closed)'}")
    if final:
        print(f"[run] final {final['split']} {task.metric.name}: {final['value']} "
              f"(baseline {task.baseline.get(final['split'])})")
    print(f"[run] episode notebook: {episode}")
    return 0 if final and final["status"] == "scored" else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlgym-nb", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    tasks = sub.add_parser("tasks", help="list tasks, or check one (`tasks check ID`)")
    tasks.add_argument("action", nargs="?", choices=["list", "check"], default="list")
    tasks.add_argument("id", nargs="?", help="task id (for check)")
    tasks.add_argument("--sandbox", default="auto", choices=["auto", "docker", "local"])
    tasks.set_defaults(func=_cmd_tasks)

    images = sub.add_parser("images", help="build kernel images offline (`images build [FAMILY]`)")
    images.add_argument("action", choices=["build"])
    images.add_argument("family", nargs="?", help="kernel family (default: all)")
    images.add_argument("--force", action="store_true", help="rebuild even if up to date")
    images.set_defaults(func=_cmd_images)

    kernels = sub.add_parser("kernels", help="write kernelspecs mlgym-<task> (`kernels install`)")
    kernels.add_argument("action", choices=["install"])
    kernels.add_argument("tasks", nargs="*", help="task ids (default: all)")
    kernels.add_argument("--sys-prefix", action="store_true", help="install into sys.prefix, not the user dir")
    kernels.add_argument("--sandbox", default="auto", choices=["auto", "docker", "local"])
    kernels.set_defaults(func=_cmd_kernels)

    run = sub.add_parser("run", help="run one episode and write its notebook")
    run.add_argument("--task", required=True)
    run.add_argument("--agent", default="replay", help="replay (the task's reference cells)")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--max-steps", type=int, default=None)
    run.add_argument("--sandbox", default="auto", choices=["auto", "docker", "local"])
    run.add_argument("--out", default="episodes", help="folder for the episode notebook (default: episodes/)")
    run.set_defaults(func=_cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "tasks" and args.action == "check" and not args.id:
        print("mlgym-nb tasks check: give a task id", file=sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except MlgymError as exc:
        print(f"mlgym-nb: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mlgym-nb: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
