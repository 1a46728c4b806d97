"""Embedded model and agent loop costs: server load time, generation and prefill speed, and the
agent's own overhead per step (history, parsing, bookkeeping), excluding model and kernel time.

Usage: python bench/agent_overhead.py [--steps 12] [--no-write]; appends its table to bench/results.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import openai
from results_file import write_section

import mlgym_nb
from mlgym_nb.agents import LLMAgent, agent_config, run_episode
from mlgym_nb.agents.local_server import LocalModelServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--loads", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    loads = []
    for _ in range(args.loads):
        start = time.perf_counter()
        with LocalModelServer():
            loads.append(time.perf_counter() - start)
    with LocalModelServer() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="none")
        gen, pre = [], []
        for trial in range(3):
            # A new first line per trial: llama.cpp reuses a cached prompt prefix, which would skip the prefill.
            prompt = f"Question {trial}. " + "Explain what a random forest is. " * 40
            start = time.perf_counter()
            reply = client.chat.completions.create(model="local", messages=[{"role": "user", "content": prompt}],
                                                   max_tokens=128, temperature=0.7)
            took = time.perf_counter() - start
            timings = getattr(reply, "timings", None) or (reply.model_extra or {}).get("timings", {})
            gen.append(timings.get("predicted_per_second") or reply.usage.completion_tokens / took)
            if timings.get("prompt_per_second"):
                pre.append(timings["prompt_per_second"])
        agent = LLMAgent(agent_config("local", base_url=server.base_url, memory=False))
        overheads = []
        act = agent.act

        def timed_act(observation):
            start = time.perf_counter()
            action = act(observation)
            overheads.append(time.perf_counter() - start - action.meta["model_seconds"])
            return action

        agent.act = timed_act
        with tempfile.TemporaryDirectory() as tmp, mlgym_nb.make(
                "prisoners_dilemma", sandbox="docker", episode=Path(tmp) / "a.ipynb", max_steps=args.steps) as env:
            result = run_episode(env, agent, seed=0)
        print(f"episode: exit {result.exit} after {result.steps} steps")

    med = statistics.median
    rows = [
        ("local model server start to /health (SmolLM2-135M Q4_1)", f"{med(loads):.2f} s", f"median of {len(loads)}"),
        ("generation speed", f"{med(gen):.0f} tokens/s", "2 threads"),
        ("prefill speed", f"{med(pre):.0f} tokens/s" if pre else "not reported", ""),
        ("agent overhead per step, without model and kernel time", f"{med(overheads) * 1e3:.2f} ms",
         f"median of {len(overheads)} steps; target <= 5 ms: {'met' if med(overheads) <= 0.005 else 'missed'}"),
    ]
    table = "| measurement | value | note |\n|---|---|---|\n" + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    print(table)
    if not args.no_write:
        write_section("Embedded model and agent loop", f"Written by `python bench/agent_overhead.py` on "
                      f"{time.strftime('%Y-%m-%d')}. The agent's overhead is the time in `LLMAgent.act` minus the "
                      "model's HTTP time: history building, parsing and bookkeeping.\n\n" + table)


if __name__ == "__main__":
    main()
