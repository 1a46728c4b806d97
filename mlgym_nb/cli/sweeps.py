"""`mlgym-nb bench` and `report`: a sweep of episodes, and the analysis of one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import MlgymError
from ..sandbox import CHOICES


def _bench(args: argparse.Namespace) -> int:
    import contextlib

    from ..sweep import LocalExecutor, grid, parse_seeds, run_sweep
    from ..tasks import load_task, parse_size

    tasks = [t for t in args.tasks.split(",") if t]
    for task_id in tasks:
        load_task(task_id)  # an unknown or broken task fails here, before anything starts
    agents = [a for a in args.agents.split(",") if a]
    unknown = sorted(set(agents) - {"llm", "mlab", "replay"})
    if unknown:
        raise MlgymError(f"--agents: unknown agent {unknown[0]!r}; use llm, mlab and/or replay")
    options = {k: v for k, v in {"tools": args.tools, "max_cost": args.max_cost, "max_tokens": args.max_tokens,
                                 "price_in": args.price_in, "price_out": args.price_out}.items() if v is not None}
    specs = grid(tasks, agents, [m for m in args.models.split(",") if m], parse_seeds(args.seeds),
                 max_steps=args.max_steps, sandbox=args.sandbox, base_url=args.base_url, options=options)
    with contextlib.ExitStack() as stack:
        if any(s.agent != "replay" and s.model == "local" and not s.base_url for s in specs):
            from ..agents.local_server import LocalModelServer

            server = stack.enter_context(LocalModelServer())
            print(f"[bench] local model {server.model_file.name} serving at {server.base_url}")
            specs = [s.model_copy(update={"base_url": server.base_url}) if s.model == "local" else s for s in specs]
        if args.executor == "ray":
            from ..sweep.ray_executor import RayExecutor

            executor = RayExecutor()
        else:
            executor = LocalExecutor()
        print(f"[bench] {len(specs)} episodes, {args.parallel} at a time, executor {executor.name}, into {args.outdir}")
        report = run_sweep(specs, Path(args.outdir), executor, parallel=args.parallel,
                           memory=parse_size(args.memory) if args.memory else None)
    print(f"[bench] {len(report.done)} done, {len(report.failed)} failed, {report.skipped} already done, "
          f"{report.seconds:g} s; index {Path(args.outdir) / 'results.jsonl'}")
    if report.interrupted:
        print("[bench] interrupted: run the same command again to resume", file=sys.stderr)
        return 130
    return 1 if report.failed else 0


def _report(args: argparse.Namespace) -> int:
    from ..analysis.report import write_report

    notebook, html = write_report(Path(args.sweep), Path(args.out) if args.out else None)
    print(f"[report] {html} (notebook {notebook})")
    return 0


def add(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="run a sweep: tasks x agents x seeds, in parallel, resumable")
    bench.add_argument("outdir", help="sweep folder: notebooks at <task>/<agent>/s<seed>.ipynb, index results.jsonl")
    bench.add_argument("--tasks", required=True, help="comma-separated task ids")
    bench.add_argument("--agents", default="llm",
                       help="comma-separated: llm, mlab (MLAgentBench's research agent), replay (default llm)")
    bench.add_argument("--models", default="local",
                       help="comma-separated models for llm and mlab: local (embedded), an endpoint's model name, or "
                            "scripted:FILE (a JSON list of replies); default local")
    bench.add_argument("--seeds", default="0-2", help="a count (5), a range (0-4) or a list (1,3,7); default 0-2")
    bench.add_argument("--parallel", type=int, default=1, help="episodes at once (default 1)")
    bench.add_argument("--memory", default=None,
                       help="memory the running episodes may reserve together (default: 90%% of what is free)")
    bench.add_argument("--executor", default="local", choices=["local", "ray"],
                       help="local worker processes, or a Ray cluster ($RAY_ADDRESS, else a local Ray runtime)")
    bench.add_argument("--max-steps", type=int, default=None, help="step budget per episode (default: the task's)")
    bench.add_argument("--sandbox", default="auto", choices=CHOICES)
    bench.add_argument("--base-url", default=None, help="OpenAI-compatible endpoint for the models")
    bench.add_argument("--tools", default=None, choices=["auto", "on", "off"])
    bench.add_argument("--max-cost", type=float, default=None, help="USD budget per episode")
    bench.add_argument("--max-tokens", type=int, default=None, help="token budget per episode")
    bench.add_argument("--price-in", type=float, default=None, help="USD per million input tokens")
    bench.add_argument("--price-out", type=float, default=None, help="USD per million output tokens")
    bench.set_defaults(func=_bench)

    report = sub.add_parser("report", help="analyse a sweep: the analysis notebook run by papermill, then HTML")
    report.add_argument("sweep", help="a sweep folder (or any folder of episode notebooks)")
    report.add_argument("--out", default=None, help="HTML file (default: SWEEP/report.html)")
    report.set_defaults(func=_report)
