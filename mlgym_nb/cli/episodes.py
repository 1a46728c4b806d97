"""`mlgym-nb rerun`, `diff`, `episodes`, `show`: recorded episodes re-executed, compared, listed, summarised."""

from __future__ import annotations

import argparse
import math
import shutil
from pathlib import Path
from typing import Any

from ..errors import EpisodeError
from ..sandbox import CHOICES


def _rerun(args: argparse.Namespace) -> int:
    from ..episode import load_episode
    from ..rerun import rerun, summary

    episode = Path(args.episode)
    load_episode(episode)  # a missing or broken notebook: one line, before anything is made
    out = Path(args.out) if args.out else episode.with_name(f"{episode.stem}.rerun.ipynb")
    workspace = out.with_suffix(".workspace")
    existing = [p for p in (out, out.with_suffix(".md"), workspace) if p.exists() or p.is_symlink()]
    if existing and not args.force:
        raise EpisodeError(f"{existing[0]} exists from an earlier rerun; add --force to replace it, or choose "
                           "another output with --out")
    for path in existing:
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    print(f"[rerun] {episode} -> {out} (sandbox {args.sandbox})")
    report = rerun(episode, out, seed=args.seed, sandbox=args.sandbox)
    print(summary(report, f"Rerun of {episode}"), end="")
    print(f"[rerun] notebook {out}; report {out.with_suffix('.md')}")
    return 0 if report["reproduced"] else 1


def _diff(args: argparse.Namespace) -> int:
    from ..rerun import diff, summary

    report = diff(Path(args.first), Path(args.second))
    print(summary(report, f"{args.first} vs {args.second}"), end="")
    return 0 if report["identical_outputs"] and report["reproduced"] else 1


def _number(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _episodes(args: argparse.Namespace) -> int:
    from ..analysis import load_episodes

    folder = Path(args.folder)
    if not folder.exists():
        raise EpisodeError(f"{folder}: no such folder (episodes land in episodes/ by default; give the folder)")
    tables = load_episodes(folder)
    columns = ["task", "agent", "seed", "exit", "steps", "best_dev", "best_test", "final_test", "tokens", "cost",
               "episode"]
    eps = tables.episodes
    rows = []
    for _, row in eps.iterrows():
        tokens = (row.get("input_tokens") or 0) + (row.get("output_tokens") or 0) if "input_tokens" in row else None
        values = {**row.to_dict(), "tokens": tokens or None, "exit": row.get("exit") or "incomplete"}
        rows.append([_number(values.get(c)) for c in columns])
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
    for _, problem in tables.problems.iterrows():
        print(f"[episodes] {problem['episode']}: {problem['problem']}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from ..episode import load_episode

    episode = load_episode(Path(args.episode))
    meta = episode.meta
    agent = meta.agent.get("label") or meta.agent.get("name", "?")
    model = (meta.agent.get("config") or {}).get("model")
    print(f"{episode.path}: task {meta.task}, agent {agent}{f' ({model})' if model else ''}, seed {meta.seed}")
    print(f"  ended: {meta.exit_status} after {meta.steps} steps" + (f": {meta.exit_message}" if meta.exit_message
                                                                     else ""))
    print(f"  sandbox {meta.sandbox.get('kind', '?')}, image {str(meta.sandbox.get('image_id', '-'))[:19]}, "
          f"started {meta.started}, finished {meta.finished or '-'}")
    base = ", ".join(f"{k} {v:g}" for k, v in meta.baseline.items())
    print(f"  metric {meta.metric.get('name')} ({meta.metric.get('direction')}), baseline {base}")
    for graded in meta.scores:
        shown = [_number(s.value) if s.status == "scored" else s.status for s in (graded.dev, graded.test)]
        print(f"  step {graded.step:>3} {graded.kind:10} dev {shown[0]:>10}  test {shown[1]:>10}")
    kinds: dict[str, int] = {}
    for _cell, step in episode.steps:
        kinds[f"{step.kind}:{step.status}"] = kinds.get(f"{step.kind}:{step.status}", 0) + 1
    print("  steps: " + (", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none"))
    usage = meta.usage
    if usage:
        print("  usage: " + ", ".join(f"{k} {_number(v)}" for k, v in usage.items()))
    print(f"  workspace: {meta.workspace or '-'}")
    return 0


def add(sub: argparse._SubParsersAction) -> None:
    again = sub.add_parser("rerun", help="re-execute an episode with papermill, grade it, report divergence")
    again.add_argument("episode", help="episode notebook (.ipynb)")
    again.add_argument("--out", default=None, help="output notebook (default: EPISODE.rerun.ipynb)")
    again.add_argument("--force", action="store_true", help="replace an earlier rerun's notebook and workspace")
    again.add_argument("--seed", type=int, default=None, help="override the episode's seed parameter")
    again.add_argument("--sandbox", default="auto", choices=CHOICES)
    again.set_defaults(func=_rerun)

    compare = sub.add_parser("diff", help="compare two episodes of a task step by step, ignoring volatile data")
    compare.add_argument("first")
    compare.add_argument("second")
    compare.set_defaults(func=_diff)

    listing = sub.add_parser("episodes", help="a table of the episodes in a folder (default: episodes/)")
    listing.add_argument("folder", nargs="?", default="episodes")
    listing.set_defaults(func=_episodes)

    show = sub.add_parser("show", help="a short summary of one episode notebook")
    show.add_argument("episode")
    show.set_defaults(func=_show)
