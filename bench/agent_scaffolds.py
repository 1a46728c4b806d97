"""The embedded model's scaffolds side by side: the text protocol (reasoning and one fenced cell, free
decoding; the agent before issue 16) against JSON replies with decoding constrained to their schema
(the embedded default now). Seeded episodes of each task, the two scaffolds interleaved seed by seed so
that the machine's load falls on both alike.

Per scaffold: generation speed, model seconds per reply, wall time and steps per episode, the model's
replies without a usable action (format errors), and the shares of episodes that
end with a valid (scored) final submission and that beat the task's baseline test score.

Usage: python bench/agent_scaffolds.py [--seeds 5] [--steps 20] [--tasks prisoners_dilemma,house_price]
       [--no-write]; rewrites its section of bench/results.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from results_file import write_section

import mlgym_nb
from mlgym_nb.agents import LLMAgent, agent_config, run_episode
from mlgym_nb.agents.local_server import LocalModelServer
from mlgym_nb.tasks import load_task

SCAFFOLDS = {
    "text, free decoding": {"reply_format": "text", "constrained": False, "bounded": False, "max_output_tokens": 512},
    "JSON, constrained (default)": {"reply_format": "json", "constrained": True},
}


def beats(task, value: float | None) -> bool:
    baseline = task.baseline["test"]
    if value is None:
        return False
    return value > baseline if task.metric.direction == "maximize" else value < baseline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--tasks", default="prisoners_dilemma,house_price")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    tasks = [load_task(t) for t in args.tasks.split(",")]
    totals = {name: {"episodes": 0, "steps": 0, "replies": 0, "seconds": 0.0, "model_seconds": 0.0, "out_tokens": 0,
                     "format_errors": 0, "valid": 0, "beat": 0, "exits": {}} for name in SCAFFOLDS}
    with LocalModelServer() as server, tempfile.TemporaryDirectory() as tmp:
        for task in tasks:
            for seed in range(args.seeds):
                for name, settings in SCAFFOLDS.items():
                    agent = LLMAgent(agent_config("local", base_url=server.base_url, memory=False, **settings))
                    path = Path(tmp) / f"{task.id}-s{seed}-{settings['reply_format']}.ipynb"
                    start = time.perf_counter()
                    with mlgym_nb.make(task.id, sandbox="docker", episode=path, max_steps=args.steps) as env:
                        result = run_episode(env, agent, seed=seed)
                    took = time.perf_counter() - start
                    usage = agent.usage()  # the whole episode's, replies that gave no action included
                    t = totals[name]
                    t["episodes"] += 1
                    t["steps"] += result.steps
                    t["seconds"] += took
                    t["replies"] += usage["calls"]
                    t["model_seconds"] += usage["model_seconds"]
                    t["out_tokens"] += usage["output_tokens"]
                    t["format_errors"] += usage["format_errors"]
                    t["valid"] += result.status == "scored"
                    t["beat"] += result.status == "scored" and beats(task, result.score)
                    t["exits"][result.exit] = t["exits"].get(result.exit, 0) + 1
                    print(f"{task.id} seed {seed} {name}: exit {result.exit} after {result.steps} steps, "
                          f"final {result.status} {result.score}, {took:.0f} s", flush=True)

    rows = []
    for name, t in totals.items():
        n, replies = t["episodes"], max(t["replies"], 1)
        cells = [name, f"{t['out_tokens'] / max(t['model_seconds'], 1e-9):.0f}", f"{t['model_seconds'] / replies:.1f}",
                 f"{t['seconds'] / n:.0f}", f"{t['steps'] / n:.1f}",
                 f"{t['format_errors']} of {t['replies']} ({t['format_errors'] / replies:.0%})",
                 f"{t['valid']}/{n}", f"{t['beat']}/{n}", ", ".join(f"{k} {v}" for k, v in sorted(t["exits"].items()))]
        rows.append("| " + " | ".join(cells) + " |")
    header = ["scaffold", "tokens/s", "s per reply", "s per episode", "steps per episode",
              "model replies without a usable action", "valid final submission", "beats baseline", "exits"]
    table = "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *rows])
    print(table)
    if not args.no_write:
        write_section("Embedded model scaffolds", (
            f"Written by `python bench/agent_scaffolds.py` on {time.strftime('%Y-%m-%d')}: SmolLM2-135M-Instruct "
            f"(the embedded model) on {', '.join(t.id for t in tasks)}, seeds 0-{args.seeds - 1}, "
            f"{args.steps}-step budget, Docker sandbox; the scaffolds alternate episode by episode. An episode's "
            "seconds include the model, the kernel and the gradings; an episode that ends on format errors "
            "(more than 5 replies without an action) has fewer steps. The Qwen2.5-Coder GGUF files the issue "
            "scouted are not candidates: their only offline copies are unlicensed split wheels under "
            "unrelated names.\n\n" + table))


if __name__ == "__main__":
    main()
