"""`mlgym-nb run`: one episode, with its outcome said plainly and an exit code that matches it."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import sys
import time
from pathlib import Path
from typing import Any

from ..sandbox import CHOICES

#: Exits where the agent could not go on (exit code 3), as opposed to a submission or a spent budget.
FAILURES = {"api_error", "format", "repetition", "context", "kernel_error"}


class StepSpinner:
    """The running step and its elapsed time on a terminal (rich); nothing elsewhere."""

    def __init__(self) -> None:
        self.progress: Any = None
        if sys.stdout.isatty():
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                     transient=True)

    def start(self, text: str) -> None:
        if self.progress is not None:
            self.progress.start()
            self.task = self.progress.add_task(text)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress.remove_task(self.task)


def _untouched(task: Any, score: Any) -> bool:
    """Whether a graded submission is the starter's files as shipped (an untouched baseline)."""
    shipped_files = task.starter_files()
    if not score.submission or not shipped_files:
        return False
    for name, digest in score.submission.items():
        shipped = shipped_files.get(name)
        if shipped is None or hashlib.sha256(shipped.read_bytes()).hexdigest() != digest:
            return False
    return True


def _run(args: argparse.Namespace) -> int:
    from ..agents import LLMAgent, ReplayAgent, agent_config, run_episode
    from ..agents.local_server import LocalModelServer
    from ..agents.mlab import ResearchAgent
    from ..agents.replay import episode_actions
    from ..env import NotebookEnv
    from ..grading import summary
    from ..tasks import load_task

    task = load_task(args.task)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    label = "replay" if args.agent == "replay" else f"{'mlab-' if args.agent == 'mlab' else ''}" + \
        args.model.replace("/", "_").replace(":", "_")
    episode = Path(args.out) / f"{task.id}-{label}-s{args.seed}-{stamp}.ipynb"
    prefix = None
    if args.resume:
        prefix = episode_actions(Path(args.resume))[: args.fork_at]
    base_url = args.base_url
    with contextlib.ExitStack() as stack:
        if args.agent == "replay":
            agent: Any = ReplayAgent(args.replay)
            what = f"replay of {args.replay or task.reference}"
        else:
            if args.model.startswith("hf:"):  # a GGUF from the Hugging Face cache, served here like the default
                args.model_file, args.model = args.model, "local"
            if args.model == "local" and not base_url:
                server = stack.enter_context(LocalModelServer(args.model_file))
                base_url = server.base_url
                print(f"[run] local model {server.model_file.name} serving at {base_url}")
            kind = ResearchAgent if args.agent == "mlab" else LLMAgent
            agent = kind(agent_config(args.model, base_url=base_url, tools=args.tools, max_cost=args.max_cost,
                                      max_tokens=args.max_tokens, price_in=args.price_in, price_out=args.price_out))
            what = f"llm {args.model} at {agent.model.base_url}" if hasattr(agent.model, "base_url") else args.model
        env = stack.enter_context(NotebookEnv(task, sandbox=args.sandbox, episode=episode, max_steps=args.max_steps,
                                              agent=args.agent))
        chosen = f"{env.sandbox} ({args.sandbox})" if args.sandbox != env.sandbox else env.sandbox
        print(f"[run] task {task.id}, agent {what}, seed {args.seed}, sandbox {chosen}")
        if prefix is not None:
            print(f"[run] replaying {len(prefix)} steps of {args.resume}, then the agent goes on")
        spinner = StepSpinner()

        def started(action: Any) -> None:
            spinner.start(f"step {env.recorder.meta.steps + 1 if env.recorder else '?'}: "
                          f"{(action.cell.strip().splitlines() or [''])[0][:60]}")

        def ended(info: dict, cell: str) -> None:
            spinner.stop()
            first = (cell.strip().splitlines() or [""])[0][:60]
            score = f" (score {info['score']:g})" if isinstance(info.get("score"), float) else ""
            print(f"[step {info['step']:>3}] {first:60} -> {info['status']}{score}", flush=True)

        try:
            result = run_episode(env, agent, seed=args.seed, on_step=ended, prefix=prefix,
                                 prefix_source=args.resume, on_action=started)
        finally:
            spinner.stop()
        final = env.recorder.meta.scores[-1].test if env.recorder and env.recorder.meta.scores else None
    print(f"[run] exit: {result.exit} after {result.steps} steps")
    if result.exit in FAILURES:
        print(f"[run] the agent could not go on: {result.message}", file=sys.stderr)
    if final is not None:
        how = "submitted" if result.exit == "submitted" else f"autosubmission after {result.exit}"
        if result.exit != "submitted" and _untouched(task, final):
            how += ": the untouched baseline as shipped"
        print(f"[run] final {summary(final, task)} ({how})")
    usage = result.usage
    if "input_tokens" in usage:
        print(f"[run] tokens in/out: {usage['input_tokens']}/{usage['output_tokens']}, cost: {usage['cost']}")
    print(f"[run] episode notebook: {episode}")
    if result.exit in FAILURES:
        return 3
    return 0 if final is not None and final.status != "error" else 1


def add(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run one episode and write its notebook")
    run.add_argument("--task", required=True, help="task id (see `mlgym-nb tasks`)")
    run.add_argument("--agent", default="llm", choices=["llm", "mlab", "replay"],
                     help="llm (a chat model; default), mlab (MLAgentBench's research agent over the same model) "
                          "or replay (recorded or reference cells)")
    run.add_argument("--model", default="local",
                     help="model name; `local` (default) serves the embedded SmolLM2 on 127.0.0.1; "
                          "hf:OWNER/REPO/FILE.gguf[@REVISION] serves that GGUF from the Hugging Face cache")
    run.add_argument("--base-url", default=None, help="OpenAI-compatible endpoint (default $OPENAI_BASE_URL)")
    run.add_argument("--model-file", default=None, help="GGUF file for --model local")
    run.add_argument("--tools", default=None, choices=["auto", "on", "off"],
                     help="native tool calls (default: off for the embedded model, whose template has none; else auto)")
    run.add_argument("--max-cost", type=float, default=None, help="USD budget (needs a known price)")
    run.add_argument("--max-tokens", type=int, default=None, help="token budget (input + output)")
    run.add_argument("--price-in", type=float, default=None, help="USD per million input tokens (unknown models)")
    run.add_argument("--price-out", type=float, default=None, help="USD per million output tokens (unknown models)")
    run.add_argument("--replay", default=None, help="episode notebook to replay (default: the task's reference)")
    run.add_argument("--resume", default=None, metavar="EPISODE",
                     help="continue an episode: replay its steps in a fresh kernel, then hand over to the agent")
    run.add_argument("--fork-at", type=int, default=None, metavar="N",
                     help="with --resume: replay only the first N steps (a new episode branching off there)")
    run.add_argument("--seed", type=int, default=0, help="episode seed (the kernel's RNGs; default 0)")
    run.add_argument("--max-steps", type=int, default=None, help="step budget (default: the task's)")
    run.add_argument("--sandbox", default="auto", choices=CHOICES,
                     help="where the kernel runs (auto: Docker when a daemon answers, else local)")
    run.add_argument("--out", default="episodes", help="folder for the episode notebook (default: episodes/)")
    run.set_defaults(func=_run, check=lambda a: "--fork-at needs --resume EPISODE" if a.fork_at is not None and
                     not a.resume else None)
