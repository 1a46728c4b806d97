"""From episode tables to the numbers a report states: per-agent scores, AUP with CIs, success, cost.

Solvers are the agents plus ``baseline`` (each task's baseline test score, from the notebooks).
Scores per task and agent are aggregated over seeds as MLGym does (the best run), with a bootstrap
over seeds for confidence intervals; ``which`` picks the best attempt (selected on dev) or the last
submission of each episode.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..tasks import SuiteSpec, load_suite
from .load import EpisodeTables
from .metrics import aup_bootstrap, bootstrap_ci, improvement, performance_profile, performance_ratios

WHICH = {"best": "best_test", "last": "final_test"}


def _directions_and_shifts(tables: EpisodeTables) -> tuple[dict[str, str], dict[str, float]]:
    eps = tables.episodes
    directions = dict(zip(eps["task"], eps["direction"], strict=True))
    shifts = {t: float(v) for t, v in zip(eps["task"], eps["profile_shift"].fillna(0.0), strict=True) if v}
    return directions, shifts


def run_scores(tables: EpisodeTables, which: str = "best") -> pd.DataFrame:
    """One row per run and the baseline: task, solver, seed, score (``which``: best attempt or last submission)."""
    eps = tables.episodes
    runs = eps[["task", "agent", "seed", WHICH[which]]].rename(columns={"agent": "solver", WHICH[which]: "score"})
    baseline = eps.groupby("task", as_index=False)["baseline_test"].first()
    baseline = baseline.assign(solver="baseline", seed=0).rename(columns={"baseline_test": "score"})
    return pd.concat([runs, baseline[["task", "solver", "seed", "score"]]], ignore_index=True)


def aggregate(scores: pd.DataFrame, directions: dict[str, str]) -> pd.DataFrame:
    """Best score over seeds per task and solver (NaN runs skipped), MLGym's best-of-runs."""
    def best(group: pd.DataFrame) -> float:
        values = group["score"].dropna()
        if values.empty:
            return math.nan
        return values.max() if directions[group.name[0]] == "maximize" else values.min()

    return scores.groupby(["task", "solver"]).apply(best, include_groups=False).rename("score").reset_index()


def aup_summary(tables: EpisodeTables, suite: SuiteSpec | None = None, which: str = "best",
                n_boot: int = 1000) -> pd.DataFrame:
    """AUP per solver on the suite's fixed tau_max, with a bootstrap CI over seeds: solver, aup, low, high.

    Signed metrics are shifted by their task's ``metric.profile_shift`` (recorded in the notebooks).
    """
    suite = suite or load_suite()
    directions, shifts = _directions_and_shifts(tables)
    return aup_bootstrap(run_scores(tables, which), directions, suite.tau_max, n_boot=n_boot,
                         epsilon=suite.epsilon, shift=shifts)


def profiles(tables: EpisodeTables, suite: SuiteSpec | None = None, which: str = "best",
             points: int = 200) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ratios, profile): performance ratios per task and solver, and rho(tau) on [0, tau_max] per solver."""
    suite = suite or load_suite()
    directions, shifts = _directions_and_shifts(tables)
    ratios = performance_ratios(aggregate(run_scores(tables, which), directions), directions,
                                epsilon=suite.epsilon, shift=shifts)
    return ratios, performance_profile(ratios, np.linspace(0, suite.tau_max, points))


def with_improvement(tables: EpisodeTables, threshold: float = 0.10) -> pd.DataFrame:
    """Episodes with ``improvement`` (last submission over the baseline, positive = better) and ``success``."""
    eps = tables.episodes.copy()
    eps["improvement"] = [improvement(s, b, d) if s is not None and b is not None else math.nan
                          for s, b, d in zip(eps["final_test"], eps["baseline_test"], eps["direction"], strict=True)]
    eps["success"] = eps["improvement"] > threshold
    return eps


def summary_table(tables: EpisodeTables, suite: SuiteSpec | None = None, n_boot: int = 1000) -> pd.DataFrame:
    """One row per agent: episodes, AUP (best attempt, last submission) with 95 % CIs, success rate with its
    CI, mean improvement, mean cost, tokens and wall time, and the most common exit."""
    suite = suite or load_suite()
    best = aup_summary(tables, suite, "best", n_boot).set_index("solver")
    last = aup_summary(tables, suite, "last", n_boot).set_index("solver")
    eps = with_improvement(tables, suite.success_threshold)
    rows: list[dict[str, Any]] = []
    for agent, group in eps.groupby("agent"):
        rate, low, high = bootstrap_ci(group["success"].astype(float).to_numpy(), n_boot=n_boot)
        rows.append({"agent": agent, "episodes": len(group), "tasks": group["task"].nunique(),
                     "AUP best": _ci(best, agent), "AUP last": _ci(last, agent),
                     "success": f"{rate:.0%} [{low:.0%}, {high:.0%}]" if not math.isnan(low) else f"{rate:.0%}",
                     "mean improvement": f"{group['improvement'].mean():+.1%}",
                     "mean cost $": _mean(group["cost"]), "mean tokens": _mean(group["input_tokens"] +
                                                                               group["output_tokens"]),
                     "mean wall s": _mean(group["wall_seconds"]),
                     "exits": ", ".join(f"{k} {v}" for k, v in group["exit"].fillna("incomplete").value_counts()
                                        .items())})
    rows.append({"agent": "baseline", "AUP best": _ci(best, "baseline"), "AUP last": _ci(last, "baseline")})
    return pd.DataFrame(rows).set_index("agent")


def _ci(table: pd.DataFrame, solver: str) -> str:
    if solver not in table.index:
        return ""
    row = table.loc[solver]
    return f"{row['aup']:.3f} [{row['low']:.3f}, {row['high']:.3f}]"


def _mean(values: pd.Series) -> str:
    values = pd.to_numeric(values, errors="coerce").dropna()
    return f"{values.mean():.3g}" if len(values) else ""


__all__ = ["aggregate", "aup_summary", "profiles", "run_scores", "summary_table", "with_improvement"]
