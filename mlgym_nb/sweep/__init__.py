"""Sweeps: grids of episodes run by an executor (a local process pool, or Ray), indexed in results.jsonl."""

from .executors import Executor, LocalExecutor, Outcome
from .run import make_agent, run_spec
from .runner import SweepReport, read_index, run_sweep
from .spec import EpisodeSpec, grid, parse_seeds, summarize

__all__ = ["EpisodeSpec", "Executor", "LocalExecutor", "Outcome", "SweepReport", "grid", "make_agent",
           "parse_seeds", "read_index", "run_spec", "run_sweep", "summarize"]
