"""`mlgym-nb tasks`: list every task (and every broken task.yaml), or check one."""

from __future__ import annotations

import argparse
import sys

from ..sandbox import CHOICES


def _tasks(args: argparse.Namespace) -> int:
    from ..tasks import catalog, load_task

    if args.action == "check":
        from ..checks import check_task

        task = load_task(args.id)
        return check_task(task.fast_variant() if args.fast else task, sandbox=args.sandbox, stand_in=args.stand_in)
    good, broken = catalog()
    id_width, name_width = (max((len(x) for x in column), default=0) for column in
                            ([t.id for t in good], [t.name for t in good]))
    for task in good:
        base = ", ".join(f"{k} {v:g}" for k, v in task.baseline.items()) or "not measured"
        print(f"{task.id:{id_width}}  {task.name:{name_width}}  {task.metric.name} ({task.metric.direction}; "
              f"baseline {base})")
    for error in broken:
        print(f"mlgym-nb: broken task: {error}", file=sys.stderr)
    return 1 if broken else 0


def _task(args: argparse.Namespace) -> int:
    import importlib.util
    import subprocess
    from pathlib import Path

    from ..manual import open_task
    from ..tasks import load_task

    notebook, kernel = open_task(load_task(args.id), Path(args.dir), sandbox=args.sandbox)
    print(f"[task] {notebook} (kernel {kernel}; workspace {notebook.with_suffix('.workspace')}; gradings logged in "
          f"{notebook.with_suffix('.gradings.jsonl')})")
    command = [sys.executable, "-m", "jupyter", "lab", str(notebook)]
    if args.no_lab or importlib.util.find_spec("jupyterlab") is None:
        print(f"[task] open it with: {' '.join(command[2:])}" + ("" if args.no_lab else
                                                                  " (after `pip install jupyterlab`)"))
        return 0
    return subprocess.call(command)


def add(sub: argparse._SubParsersAction) -> None:
    tasks = sub.add_parser("tasks", help="list tasks (and broken task.yaml files), or check one (`tasks check ID`)")
    tasks.add_argument("action", nargs="?", choices=["list", "check"], default="list")
    tasks.add_argument("id", nargs="?", help="task id (for check)")
    tasks.add_argument("--sandbox", default="auto", choices=CHOICES, help="where check runs kernels and graders")
    tasks.add_argument("--fast", action="store_true",
                       help="check: the task's fast baseline and reference (smaller budgets, same code), if it has one")
    tasks.add_argument("--stand-in", action="store_true",
                       help="check: on synthetic stand-in data with the real schema (tasks with external data; the "
                            "scores only have to exist)")
    task = sub.add_parser("task", help="try a task by hand (`task open ID`): its notebook, workspace and kernel in "
                                       "JupyterLab, %%validate / %%submit graded as for an agent")
    task.add_argument("action", choices=["open"])
    task.add_argument("id", help="task id")
    task.add_argument("--dir", default=".", help="where the notebook and its workspace go (default: here)")
    task.add_argument("--sandbox", default="auto", choices=CHOICES)
    task.add_argument("--no-lab", action="store_true", help="make the notebook and the kernelspec, do not start "
                                                            "JupyterLab")
    task.set_defaults(func=_task)

    tasks.set_defaults(func=_tasks, check=lambda a: "give a task id: tasks check ID" if a.action == "check" and
                       not a.id else None)
