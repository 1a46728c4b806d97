"""`mlgym-nb images`, `kernels`, `clean`, `schema`: the machine's side of things."""

from __future__ import annotations

import argparse
import json
import sys

from ..sandbox import CHOICES


def _images(args: argparse.Namespace) -> int:
    from ..sandbox import images

    for family in ([args.family] if args.family else images.families()):
        print(images.build_family(family, force=args.force))
    return 0


def _kernels(args: argparse.Namespace) -> int:
    from ..kernelspec import install_kernelspecs

    for path in install_kernelspecs(args.tasks or None, user=not args.sys_prefix,
                                    prefix=sys.prefix if args.sys_prefix else None, sandbox=args.sandbox):
        print(path)
    return 0


def _clean(args: argparse.Namespace) -> int:
    from ..cleanup import clean

    found = clean(dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    for kind, items in found.items():
        print(f"[clean] {verb} {len(items)} {kind}" + "".join(f"\n  {item}" for item in items))
    return 0


def _schema(args: argparse.Namespace) -> int:
    from ..schema import json_schema

    print(json.dumps(json_schema(), indent=1, sort_keys=True))
    return 0


def add(sub: argparse._SubParsersAction) -> None:
    images = sub.add_parser("images", help="build kernel images offline (`images build [FAMILY] [--force]`)")
    images.add_argument("action", choices=["build"])
    images.add_argument("family", nargs="?", help="kernel family (default: all)")
    images.add_argument("--force", action="store_true", help="rebuild even if up to date")
    images.set_defaults(func=_images)

    kernels = sub.add_parser("kernels", help="write kernelspecs mlgym-<task> for Jupyter tools (`kernels install`)")
    kernels.add_argument("action", choices=["install"])
    kernels.add_argument("tasks", nargs="*", help="task ids (default: all)")
    kernels.add_argument("--sys-prefix", action="store_true", help="install into sys.prefix, not the user dir")
    kernels.add_argument("--sandbox", default="auto", choices=CHOICES, help="where the kernels run (default auto)")
    kernels.set_defaults(func=_kernels)

    clean = sub.add_parser("clean", help="remove what killed processes left: containers, live workspaces "
                                         "(archived first), connection folders, grading copies")
    clean.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    clean.set_defaults(func=_clean)

    schema = sub.add_parser("schema", help="print the JSON Schema of episode notebooks' metadata")
    schema.set_defaults(func=_schema)
