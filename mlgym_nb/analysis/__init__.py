"""Analysis of recorded episodes: tables read through the episode schema, scores, performance profiles and
AUP with bootstrap CIs, success, cost, action and exit mix. ``notebooks/analysis.ipynb`` draws them."""

from .load import EpisodeTables, agent_label, load_episodes
from .metrics import (
    action_kind,
    action_mix,
    aup,
    aup_bootstrap,
    best_attempt,
    bootstrap_ci,
    exit_counts,
    improvement,
    pareto_front,
    performance_profile,
    performance_ratios,
    success,
    success_rate,
    tau_max_of,
)
from .summary import aggregate, aup_summary, profiles, run_scores, summary_table, with_improvement

__all__ = [
    "EpisodeTables", "action_kind", "action_mix", "agent_label", "aggregate", "aup", "aup_bootstrap",
    "aup_summary", "best_attempt", "bootstrap_ci", "exit_counts", "improvement", "load_episodes", "pareto_front",
    "performance_profile", "performance_ratios", "profiles", "run_scores", "success", "success_rate",
    "summary_table", "tau_max_of", "with_improvement",
]
