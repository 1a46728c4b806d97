"""`mlgym-nb data`: where each task's data comes from and whether it is here; fetch what is missing."""

from __future__ import annotations

import argparse


def _status(args: argparse.Namespace) -> int:
    from ..datasets import data_root, describe, status
    from ..tasks import catalog, load_task

    tasks = [load_task(args.id)] if args.id else catalog()[0]
    rows = [status(task) for task in tasks]
    width = max((len(r.task.id) for r in rows), default=0)
    print(f"data folders: {data_root()} (set MLGYM_DATA to move them)")
    for row in rows:
        spec = row.task.data
        if spec is None:
            print(f"{row.task.id:{width}}  shipped   built offline by its prepare.py, nothing to fetch")
            continue
        line = f"{row.task.id:{width}}  {row.state:8}  {describe(spec)}"
        line += f" ({spec.size}; {spec.licence})" if spec.size else f" ({spec.licence})"
        print(line)
        if row.lacks:
            terms = f"; {spec.terms}" if spec.terms else ""
            print(f"{'':{width}}            {row.folder} lacks {', '.join(row.lacks)}: "
                  f"`mlgym-nb data fetch {row.task.id}`{terms}")
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..datasets import describe, fetch
    from ..tasks import load_task

    task = load_task(args.id)
    if task.data is not None and args.copy is None:
        terms = f" ({task.data.terms})" if task.data.terms else ""
        print(f"[data] {task.id}: fetching {describe(task.data)}{terms}")
    folder = fetch(task, Path(args.copy) if args.copy else None)
    print(f"[data] {task.id}: ready in {folder}")
    return 0


def add(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser("data", help="tasks' external data: `data status [ID]` says where it is looked for and "
                                       "whether it is there; `data fetch ID [--from PATH]` gets it")
    actions = data.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser("status", help="each task's data: shipped, present, stand-in or missing, and where")
    status.add_argument("id", nargs="?", help="one task (default: all)")
    status.set_defaults(func=_status)
    fetch = actions.add_parser("fetch", help="get a task's data from its source (Kaggle, Hugging Face, torchvision, "
                                             "OGB) or from a copy you have, into its data folder")
    fetch.add_argument("id", help="task id")
    fetch.add_argument("--from", dest="copy", metavar="PATH",
                       help="a folder or an archive (.zip, .tar.gz) holding the files, e.g. a download made elsewhere")
    fetch.set_defaults(func=_fetch)
