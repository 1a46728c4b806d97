"""`mlgym-nb`: list and check tasks, build images, install kernelspecs, run episodes."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from .errors import MlgymError
from .sandbox import CHOICES as SANDBOXES


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
    import contextlib

    from .agents import LLMAgent, ReplayAgent, agent_config, run_episode
    from .agents.local_server import LocalModelServer
    from .agents.replay import episode_actions
    from .env import NotebookEnv
    from .tasks import load_task

    task = load_task(args.task)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    label = "replay" if args.agent == "replay" else args.model.replace("/", "_")
    episode = Path(args.out) / f"{task.id}-{label}-s{args.seed}-{stamp}.ipynb"
    with contextlib.ExitStack() as stack:
        if args.agent == "replay":
            agent = ReplayAgent(args.replay)
            what = f"replay of {args.replay or task.reference}"
        else:
            base_url = args.base_url
            if args.model == "local" and not base_url:
                server = stack.enter_context(LocalModelServer(args.model_file))
                base_url = server.base_url
                print(f"[run] local model {server.model_file.name} serving at {base_url}")
            agent = LLMAgent(agent_config(args.model, base_url=base_url, tools=args.tools, max_cost=args.max_cost,
                                          max_tokens=args.max_tokens))
            what = f"llm {args.model}"
        print(f"[run] task {task.id}, agent {what}, seed {args.seed}, sandbox {args.sandbox}")
        env = stack.enter_context(NotebookEnv(task, sandbox=args.sandbox, episode=episode, max_steps=args.max_steps,
                                              agent=args.agent))

        def progress(info: dict, cell: str) -> None:
            first = (cell.strip().splitlines() or [""])[0][:60]
            score = f" (score {info['score']:g})" if isinstance(info.get("score"), float) else ""
            print(f"[step {info['step']:>3}] {first:60} -> {info['status']}{score}", flush=True)

        prefix = None
        if args.resume:
            prefix = episode_actions(Path(args.resume))
            if args.fork_at is not None:
                prefix = prefix[: args.fork_at]
            print(f"[run] replaying {len(prefix)} steps of {args.resume}, then the agent goes on")
        result = run_episode(env, agent, seed=args.seed, on_step=progress, prefix=prefix, prefix_source=args.resume)
    print(f"[run] exit: {result.exit} after {result.steps} steps")
    print(f"[run] final test {task.metric.name}: {result.score} (baseline {task.baseline.get('test')})")
    usage = result.usage
    if "input_tokens" in usage:
        print(f"[run] tokens in/out: {usage['input_tokens']}/{usage['output_tokens']}, cost: {usage['cost']}")
    print(f"[run] episode notebook: {episode}")
    return 0 if result.score is not None else 1


def _cmd_rerun(args: argparse.Namespace) -> int:
    from .rerun import rerun, summary

    episode = Path(args.episode)
    out = Path(args.out) if args.out else episode.with_name(f"{episode.stem}.rerun.ipynb")
    print(f"[rerun] {episode} -> {out} (sandbox {args.sandbox})")
    report = rerun(episode, out, seed=args.seed, sandbox=args.sandbox)
    print(summary(report, f"Rerun of {episode}"), end="")
    print(f"[rerun] notebook {out}; report {out.with_suffix('.md')}")
    return 0 if report["reproduced"] else 1


def _cmd_diff(args: argparse.Namespace) -> int:
    from .rerun import diff, summary

    report = diff(Path(args.first), Path(args.second))
    print(summary(report, f"{args.first} vs {args.second}"), end="")
    return 0 if report["identical_outputs"] and report["reproduced"] else 1


def _cmd_bench(args: argparse.Namespace) -> int:
    import contextlib

    from .sweep import LocalExecutor, grid, parse_seeds, run_sweep
    from .tasks import load_task, parse_size

    tasks = [t for t in args.tasks.split(",") if t]
    for task_id in tasks:
        load_task(task_id)  # an unknown or broken task fails here, before anything starts
    agents = [a for a in args.agents.split(",") if a]
    unknown = sorted(set(agents) - {"llm", "replay"})
    if unknown:
        raise MlgymError(f"--agents: unknown agent {unknown[0]!r}; use llm and/or replay")
    options = {k: v for k, v in {"tools": args.tools, "max_cost": args.max_cost, "max_tokens": args.max_tokens,
                                 "price_in": args.price_in, "price_out": args.price_out}.items() if v is not None}
    specs = grid(tasks, agents, [m for m in args.models.split(",") if m], parse_seeds(args.seeds),
                 max_steps=args.max_steps, sandbox=args.sandbox, base_url=args.base_url, options=options)
    with contextlib.ExitStack() as stack:
        if any(s.agent == "llm" and s.model == "local" and not s.base_url for s in specs):
            from .agents.local_server import LocalModelServer

            server = stack.enter_context(LocalModelServer())
            print(f"[bench] local model {server.model_file.name} serving at {server.base_url}")
            specs = [s.model_copy(update={"base_url": server.base_url}) if s.model == "local" else s for s in specs]
        if args.executor == "ray":
            from .sweep.ray_executor import RayExecutor

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


def _cmd_report(args: argparse.Namespace) -> int:
    from .analysis.report import write_report

    notebook, html = write_report(Path(args.sweep), Path(args.out) if args.out else None)
    print(f"[report] {html} (notebook {notebook})")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    import json

    from .schema import json_schema

    print(json.dumps(json_schema(), indent=1, sort_keys=True))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlgym-nb", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    tasks = sub.add_parser("tasks", help="list tasks, or check one (`tasks check ID`)")
    tasks.add_argument("action", nargs="?", choices=["list", "check"], default="list")
    tasks.add_argument("id", nargs="?", help="task id (for check)")
    tasks.add_argument("--sandbox", default="auto", choices=SANDBOXES)
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
    kernels.add_argument("--sandbox", default="auto", choices=SANDBOXES)
    kernels.set_defaults(func=_cmd_kernels)

    run = sub.add_parser("run", help="run one episode and write its notebook")
    run.add_argument("--task", required=True, help="task id (see `mlgym-nb tasks`)")
    run.add_argument("--agent", default="llm", choices=["llm", "replay"],
                     help="llm (a chat model; default) or replay (recorded or reference cells)")
    run.add_argument("--model", default="local",
                     help="model name; `local` (default) serves the embedded SmolLM2 on 127.0.0.1")
    run.add_argument("--base-url", default=None, help="OpenAI-compatible endpoint (default $OPENAI_BASE_URL)")
    run.add_argument("--model-file", default=None, help="GGUF file for --model local")
    run.add_argument("--tools", default=None, choices=["auto", "on", "off"],
                     help="native tool calls (default: off for the embedded model, whose template has none; else auto)")
    run.add_argument("--max-cost", type=float, default=None, help="USD budget (models with a known price)")
    run.add_argument("--max-tokens", type=int, default=None, help="token budget (input + output)")
    run.add_argument("--replay", default=None, help="episode notebook to replay (default: the task's reference)")
    run.add_argument("--resume", default=None, metavar="EPISODE",
                     help="continue an episode: replay its steps in a fresh kernel, then hand over to the agent")
    run.add_argument("--fork-at", type=int, default=None, metavar="N",
                     help="with --resume: replay only the first N steps (a new episode branching off there)")
    run.add_argument("--seed", type=int, default=0, help="episode seed (the kernel's RNGs; default 0)")
    run.add_argument("--max-steps", type=int, default=None, help="step budget (default: the task's)")
    run.add_argument("--sandbox", default="auto", choices=SANDBOXES,
                     help="where the kernel runs (auto: Docker when a daemon answers, else local)")
    run.add_argument("--out", default="episodes", help="folder for the episode notebook (default: episodes/)")
    run.set_defaults(func=_cmd_run)

    again = sub.add_parser("rerun", help="re-execute an episode with papermill, grade it, report divergence")
    again.add_argument("episode", help="episode notebook (.ipynb)")
    again.add_argument("--out", default=None, help="output notebook (default: EPISODE.rerun.ipynb)")
    again.add_argument("--seed", type=int, default=None, help="override the episode's seed parameter")
    again.add_argument("--sandbox", default="auto", choices=SANDBOXES)
    again.set_defaults(func=_cmd_rerun)

    compare = sub.add_parser("diff", help="compare two episodes of a task step by step, ignoring volatile data")
    compare.add_argument("first")
    compare.add_argument("second")
    compare.set_defaults(func=_cmd_diff)
    bench = sub.add_parser("bench", help="run a sweep: tasks x agents x seeds, in parallel, resumable")
    bench.add_argument("outdir", help="sweep folder: notebooks at <task>/<agent>/s<seed>.ipynb, index results.jsonl")
    bench.add_argument("--tasks", required=True, help="comma-separated task ids")
    bench.add_argument("--agents", default="llm", help="comma-separated: llm, replay (default llm)")
    bench.add_argument("--models", default="local",
                       help="comma-separated models for llm: local (embedded), an endpoint's model name, or "
                            "scripted:FILE (a JSON list of replies); default local")
    bench.add_argument("--seeds", default="0-2", help="a count (5), a range (0-4) or a list (1,3,7); default 0-2")
    bench.add_argument("--parallel", type=int, default=1, help="episodes at once (default 1)")
    bench.add_argument("--memory", default=None,
                       help="memory the running episodes may reserve together (default: 90%% of what is free)")
    bench.add_argument("--executor", default="local", choices=["local", "ray"],
                       help="local worker processes, or a Ray cluster ($RAY_ADDRESS, else a local Ray runtime)")
    bench.add_argument("--max-steps", type=int, default=None, help="step budget per episode (default: the task's)")
    bench.add_argument("--sandbox", default="auto", choices=SANDBOXES)
    bench.add_argument("--base-url", default=None, help="OpenAI-compatible endpoint for the models")
    bench.add_argument("--tools", default=None, choices=["auto", "on", "off"])
    bench.add_argument("--max-cost", type=float, default=None, help="USD budget per episode")
    bench.add_argument("--max-tokens", type=int, default=None, help="token budget per episode")
    bench.add_argument("--price-in", type=float, default=None, help="USD per million input tokens")
    bench.add_argument("--price-out", type=float, default=None, help="USD per million output tokens")
    bench.set_defaults(func=_cmd_bench)

    report = sub.add_parser("report", help="analyse a sweep: the analysis notebook run by papermill, then HTML")
    report.add_argument("sweep", help="a sweep folder (or any folder of episode notebooks)")
    report.add_argument("--out", default=None, help="HTML file (default: SWEEP/report.html)")
    report.set_defaults(func=_cmd_report)

    schema = sub.add_parser("schema", help="print the JSON Schema of episode notebooks' metadata")
    schema.set_defaults(func=_cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stdout)  # the library's progress messages ([images], [check]) for the user
    handler.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger("mlgym_nb").addHandler(handler)
    logging.getLogger("mlgym_nb").setLevel(logging.INFO)
    if args.command == "tasks" and args.action == "check" and not args.id:
        print("mlgym-nb tasks check: give a task id", file=sys.stderr)
        return 2
    if args.command == "run" and args.fork_at is not None and not args.resume:
        print("mlgym-nb run: --fork-at needs --resume EPISODE", file=sys.stderr)
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
