"""Metrics over recorded episodes: best attempt, improvement and success, performance profiles and AUP, bootstrap
confidence intervals, Pareto fronts, and the action and exit mix of agents.

All functions are pure: they read pandas DataFrames / numpy arrays and return new ones.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..schema import EXITS

DIRECTIONS = ("maximize", "minimize")
ACTION_KINDS = ("validate", "submit", "edit", "shell", "inspect", "run")
_SUBMIT_KINDS = ("submit", "autosubmit")


def _is_max(direction: str, what: str = "direction") -> bool:
    if direction not in DIRECTIONS:
        raise ValueError(f"{what} is {direction!r}, not one of {DIRECTIONS}")
    return direction == "maximize"


def _maximize(directions: Mapping[str, str], task: Any) -> bool:
    try:
        direction = directions[task]
    except KeyError:
        raise KeyError(f"no direction given for task {task!r}") from None
    return _is_max(direction, f"the direction of task {task!r}")


# --------------------------------------------------------------------------------------------------- best attempt


def best_attempt(scores: pd.DataFrame, directions: Mapping[str, str]) -> pd.DataFrame:
    """Best-attempt and last-submission scores of each episode.

    The best attempt is the graded step with the best ``dev`` score (the split the agent saw); its ``test`` score is
    reported. Selection never looks at ``test``. Ties on ``dev`` go to the earliest step; rows with NaN ``dev`` are
    not candidates. The last submission is the final ``submit``/``autosubmit`` row.

    Args:
        scores: One row per graded step: episode, task, agent, seed, step, kind ('validate' | 'submit' |
            'autosubmit'), dev, test.
        directions: Task -> 'maximize' | 'minimize'.

    Returns:
        One row per episode (in order of first appearance): episode, task, agent, seed, best_step (nullable int),
        best_dev, best_test, last_kind, last_test. NaN where the episode has no candidate / no submission.
    """
    df = scores.copy()
    meta = df.groupby("episode", sort=False)[["task", "agent", "seed"]].first()
    sign = np.where([_maximize(directions, t) for t in df["task"]], 1.0, -1.0)
    df["_key"] = -sign * df["dev"].astype(float)  # ascending sort then puts the best dev first
    cand = df[df["dev"].notna()].sort_values(["episode", "_key", "step"], kind="stable").drop_duplicates("episode")
    best = cand.set_index("episode")[["step", "dev", "test"]]
    best.columns = ["best_step", "best_dev", "best_test"]
    subs = df[df["kind"].isin(_SUBMIT_KINDS)].sort_values(["episode", "step"], kind="stable")
    last = subs.drop_duplicates("episode", keep="last").set_index("episode")[["kind", "test"]]
    last.columns = ["last_kind", "last_test"]
    out = meta.join(best).join(last).rename_axis("episode").reset_index()
    out["best_step"] = out["best_step"].astype("Int64")
    out[["best_dev", "best_test", "last_test"]] = out[["best_dev", "best_test", "last_test"]].astype(float)
    return out


# -------------------------------------------------------------------------------------------- improvement, success


def improvement(score: Any, baseline: Any, direction: Any) -> Any:
    """Relative improvement over a baseline, positive = better.

    ``(score - baseline) / |baseline|``, sign-flipped when the metric is minimised. NaN when the baseline is 0 or
    either value is NaN.

    Args:
        score: A number, array or Series.
        baseline: A number, array or Series (broadcast against ``score``; Series are used positionally).
        direction: 'maximize' | 'minimize', or an array/Series of them.

    Returns:
        A float for scalar inputs, otherwise a Series (index of the first Series argument) or an array.
    """
    d = np.asarray(direction, dtype=object)
    if not np.isin(d, DIRECTIONS).all():
        raise ValueError(f"direction must be one of {DIRECTIONS}")
    s, b = np.asarray(score, dtype=float), np.asarray(baseline, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d == "minimize", -1.0, 1.0) * (s - b) / np.abs(b)
    out = np.where(b == 0, np.nan, out)
    index = next((x.index for x in (score, baseline, direction) if isinstance(x, pd.Series)), None)
    if index is not None:
        return pd.Series(np.broadcast_to(out, (len(index),)), index=index, name="improvement")
    return float(out) if out.ndim == 0 else out


def success(improvements: Any, threshold: float = 0.10) -> pd.Series:
    """MLAgentBench's success: strictly more than ``threshold`` (10 %) improvement over the baseline.

    Args:
        improvements: Relative improvements (see :func:`improvement`); NaN (no valid submission) is a failure.
        threshold: Minimum relative improvement, exclusive.

    Returns:
        A bool Series.
    """
    return pd.Series(improvements, dtype=float) > threshold


def success_rate(df: pd.DataFrame, by: str | list[str] = "agent", column: str = "improvement",
                 threshold: float = 0.10) -> pd.DataFrame:
    """Share of runs per group that succeed (:func:`success`); runs with NaN improvement count as failures.

    Args:
        df: One row per run with the grouping column(s) and ``column``.
        by: Grouping column(s).
        column: Column of relative improvements.
        threshold: See :func:`success`.

    Returns:
        The group columns plus n, successes, rate.
    """
    flags = df.assign(_ok=success(df[column].to_numpy(), threshold).to_numpy())
    out = flags.groupby(by, sort=False)["_ok"].agg(n="size", successes="sum").reset_index()
    out["rate"] = out["successes"] / out["n"]
    return out


# ------------------------------------------------------------------------------------ performance profiles and AUP


def _task_ratios(s: np.ndarray, maximize: bool, base: Any, epsilon: float, task: Any) -> tuple[np.ndarray, np.ndarray]:
    """Ratios and feasibility of one task; the last axis of ``s`` is the solver, ``base`` broadcasts against it."""
    base = np.asarray(base, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        as_good = (s >= base) if maximize else (s <= base)
        # MLGym: negative or worse-than-baseline is infeasible; NaN fails every comparison; no baseline = no test.
        feas = (s >= 0) & (as_good | np.isnan(base))
        if maximize:
            best = np.where(feas, s, -np.inf).max(axis=-1, keepdims=True)
            ratio = best / s
        else:
            best = np.where(feas, s, np.inf).min(axis=-1, keepdims=True)
            ratio = s / best
    feas &= np.isfinite(ratio)  # a feasible 0 has no finite ratio (MLGym would divide by zero)
    worst = np.where(feas, ratio, -np.inf).max(axis=-1, keepdims=True)
    if not np.isfinite(worst).all():
        raise ValueError(f"task {task!r} has no feasible solver with a finite ratio: shift its scores to be positive")
    return np.where(feas, ratio, (1 + epsilon) * worst), feas


def performance_ratios(table: pd.DataFrame, directions: Mapping[str, str], baseline_solver: str = "baseline",
                       epsilon: float = 0.05, shift: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Performance ratios per task and solver, following MLGym's ranking rules (Dolan & Moré 2002 ratios).

    Scores are shifted first (``score + shift[task]``). A solver is feasible on a task when its shifted score is not
    NaN, is >= 0 and is at least as good as the baseline solver's shifted score (no baseline test when the baseline
    has no score). With ``best`` the best feasible score of the task, the ratio is ``best / score`` (maximise) or
    ``score / best`` (minimise), so the best solver has ratio 1. Infeasible solvers get ``(1 + epsilon)`` times the
    worst feasible ratio of the task. The baseline itself is a solver and can be infeasible (MLGym's Blotto baseline,
    -0.248, is). A feasible score of exactly 0 in a maximised task has no finite ratio and is made infeasible.

    Args:
        table: One row per task x solver with columns task, solver, score (e.g. best over seeds).
        directions: Task -> 'maximize' | 'minimize'.
        baseline_solver: Name of the baseline solver.
        epsilon: Penalty factor for infeasible solvers (MLGym: 0.05).
        shift: Optional task -> constant added to scores, to make signed metrics (Blotto, RL returns) positive.

    Returns:
        task, solver, score (unshifted), ratio, feasible.

    Raises:
        ValueError: On duplicate task x solver rows, or a task with no feasible solver.
    """
    if table.duplicated(["task", "solver"]).any():
        raise ValueError("table has several rows for one task x solver: aggregate seeds first")
    shift = shift or {}
    parts = []
    for task, g in table.groupby("task", sort=False):
        raw = g["score"].to_numpy(dtype=float)
        s = raw + float(shift.get(task, 0.0))
        is_base = (g["solver"] == baseline_solver).to_numpy()
        base = s[is_base][0] if is_base.any() else np.nan
        ratio, feas = _task_ratios(s, _maximize(directions, task), base, epsilon, task)
        parts.append(pd.DataFrame({"task": task, "solver": g["solver"].to_numpy(), "score": raw, "ratio": ratio,
                                   "feasible": feas}))
    return pd.concat(parts, ignore_index=True)


def tau_max_of(ratios: pd.DataFrame, epsilon: float = 0.05) -> float:
    """MLGym's data-dependent upper bound of the profile axis (log10 scale).

    Per task, cap = ceil((1 + epsilon) * worst feasible ratio); tau_max = log10(max cap) rounded up to 0.1. MLGym
    pools its best-attempt and last-submission ratios: pass ``pd.concat([best, last])`` to do the same. Only for
    reproducing the paper: fix tau_max per benchmark version instead, so that AUPs stay comparable.

    Args:
        ratios: Output of :func:`performance_ratios`.
        epsilon: As given to :func:`performance_ratios`.

    Returns:
        tau_max.
    """
    worst = ratios[ratios["feasible"]].groupby("task")["ratio"].max()
    cap = float(np.ceil((1 + epsilon) * worst).max())
    # round() first so that an exact power of ten (log10 = 2.0000000000000004) is not pushed up a notch
    return math.ceil(round(math.log10(cap) * 10, 9)) / 10


def _log_ratio_matrix(ratios: pd.DataFrame) -> pd.DataFrame:
    """log10 ratios as a solver x task frame; a solver with no row for a task gets NaN (never solves it)."""
    solvers = list(dict.fromkeys(ratios["solver"]))
    tasks = list(dict.fromkeys(ratios["task"]))
    wide = ratios.pivot(index="solver", columns="task", values="ratio").reindex(index=solvers, columns=tasks)
    return np.log10(wide.astype(float))


def performance_profile(ratios: pd.DataFrame, taus: Iterable[float]) -> pd.DataFrame:
    """Performance profile: rho_s(tau) = share of tasks whose log10 ratio is <= tau.

    Args:
        ratios: Output of :func:`performance_ratios`.
        taus: Points on the log10 axis (MLGym: ``np.linspace(0, tau_max, 500)``).

    Returns:
        Long frame: solver, tau, rho.
    """
    logr = _log_ratio_matrix(ratios)
    taus = np.asarray(list(taus), dtype=float)
    rho = (logr.to_numpy()[:, :, None] <= taus).sum(axis=1) / logr.shape[1]
    return pd.DataFrame({"solver": np.repeat(logr.index.to_numpy(), taus.size), "tau": np.tile(taus, len(logr)),
                         "rho": rho.ravel()})


def _aup_from_logr(logr: np.ndarray, tau_max: float, method: str, n_points: int) -> np.ndarray:
    """AUP over the last axis (tasks) of an array of log10 ratios; NaN contributes nothing."""
    if method == "exact":
        area = np.clip(tau_max - logr, 0.0, None)
    elif method == "riemann":
        grid = np.linspace(0.0, tau_max, n_points)
        # a task adds the width of every left edge tau_i >= log r; tail[k] = total width of edges k, k+1, ...
        tail = np.append(np.cumsum(np.diff(grid)[::-1])[::-1], 0.0)
        area = tail[np.searchsorted(grid[:-1], np.nan_to_num(logr, nan=np.inf), side="left")]
    else:
        raise ValueError(f"method must be 'exact' or 'riemann', not {method!r}")
    return np.where(np.isnan(logr), 0.0, area).mean(axis=-1)


def aup(ratios: pd.DataFrame, tau_max: float, method: str = "exact", n_points: int = 500) -> pd.Series:
    """Area under the performance profile on [0, tau_max] (log10 axis); the maximum is tau_max.

    ``exact`` is the closed form of the step function: AUP_s = (1/|P|) * sum_p max(0, tau_max - log10 r_ps).
    ``riemann`` is MLGym's left Riemann sum over ``np.linspace(0, tau_max, n_points)``; it is below the exact value
    by less than tau_max / (n_points - 1).

    Args:
        ratios: Output of :func:`performance_ratios`.
        tau_max: Upper bound of the log10 axis.
        method: 'exact' | 'riemann'.
        n_points: Grid size of the Riemann sum.

    Returns:
        AUP per solver (a Series named 'aup').
    """
    logr = _log_ratio_matrix(ratios)
    return pd.Series(_aup_from_logr(logr.to_numpy(), tau_max, method, n_points), index=logr.index, name="aup")


def aup_bootstrap(scores: pd.DataFrame, directions: Mapping[str, str], tau_max: float, n_boot: int = 1000,
                  level: float = 0.95, seed: int = 0, method: str = "exact", **ratio_kwargs: Any) -> pd.DataFrame:
    """AUP with a percentile bootstrap over seeds.

    Each replicate resamples, with replacement, the seeds of every task x solver, aggregates them like MLGym's
    best-of-runs (best score by direction; NaN runs are skipped), and recomputes ratios and AUP.

    Args:
        scores: One row per run: task, solver, seed, score.
        directions: Task -> 'maximize' | 'minimize'.
        tau_max: Upper bound of the log10 axis.
        n_boot: Number of bootstrap replicates.
        level: Confidence level of the interval.
        seed: Seed of the resampling.
        method: 'exact' | 'riemann' (see :func:`aup`).
        **ratio_kwargs: baseline_solver, epsilon, shift (see :func:`performance_ratios`).

    Returns:
        solver, aup (on all seeds), low, high.
    """
    baseline_solver = ratio_kwargs.pop("baseline_solver", "baseline")
    epsilon = ratio_kwargs.pop("epsilon", 0.05)
    shift = ratio_kwargs.pop("shift", None) or {}
    if ratio_kwargs:
        raise TypeError(f"unexpected arguments: {sorted(ratio_kwargs)}")
    rng = np.random.default_rng(seed)
    tasks, solvers = list(dict.fromkeys(scores["task"])), list(dict.fromkeys(scores["solver"]))
    # index 0 of the first axis is the point estimate (all seeds), 1.. the replicates
    agg = np.full((n_boot + 1, len(tasks), len(solvers)), np.nan)
    present = np.zeros((len(tasks), len(solvers)), dtype=bool)
    for (task, solver), g in scores.groupby(["task", "solver"], sort=False):
        v = g["score"].to_numpy(dtype=float)
        sign = 1.0 if _maximize(directions, task) else -1.0
        key = np.where(np.isnan(v), -np.inf, sign * v)
        idx = np.vstack([np.arange(v.size), rng.integers(0, v.size, size=(n_boot, v.size))])
        pick = np.take_along_axis(idx, key[idx].argmax(axis=1)[:, None], axis=1)[:, 0]
        ti, si = tasks.index(task), solvers.index(solver)
        agg[:, ti, si], present[ti, si] = v[pick], True
    logr = np.empty_like(agg)
    for ti, task in enumerate(tasks):
        s = agg[:, ti, :] + float(shift.get(task, 0.0))
        base = s[:, [solvers.index(baseline_solver)]] if baseline_solver in solvers else np.nan
        ratio, _ = _task_ratios(s, _maximize(directions, task), base, epsilon, task)
        logr[:, ti, :] = np.where(present[ti], np.log10(ratio), np.nan)
    values = _aup_from_logr(np.swapaxes(logr, 1, 2), tau_max, method, 500)  # (n_boot + 1, solvers)
    alpha = (1 - level) / 2
    low, high = np.percentile(values[1:], [100 * alpha, 100 * (1 - alpha)], axis=0)
    return pd.DataFrame({"solver": solvers, "aup": values[0], "low": low, "high": high})


# ------------------------------------------------------------------------------------------- bootstrap, Pareto


def bootstrap_ci(values: Iterable[float], statistic: Callable[..., Any] = np.mean, n_boot: int = 10000,
                 level: float = 0.95, seed: int = 0) -> tuple[float, float, float]:
    """Percentile bootstrap confidence interval of a statistic.

    Args:
        values: Sample; NaNs are dropped.
        statistic: Function of a 1-d array; if it accepts ``axis`` it is applied to whole blocks of replicates.
        n_boot: Number of replicates.
        level: Confidence level.
        seed: Seed of the resampling (same seed, same interval).

    Returns:
        (estimate, low, high); low and high are NaN with fewer than 2 values, all three with none.
    """
    x = np.asarray(list(values) if not isinstance(values, np.ndarray | pd.Series) else values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    estimate = float(statistic(x))
    if x.size < 2:
        return estimate, math.nan, math.nan
    rng = np.random.default_rng(seed)
    block = max(1, 1_000_000 // x.size)  # bound memory to about a million resampled values at a time
    stats = []
    for start in range(0, n_boot, block):
        sample = x[rng.integers(0, x.size, size=(min(block, n_boot - start), x.size))]
        try:
            out = np.asarray(statistic(sample, axis=1), dtype=float)
            if out.shape != (sample.shape[0],):
                raise TypeError
        except TypeError:
            out = np.array([statistic(row) for row in sample], dtype=float)
        stats.append(out)
    alpha = (1 - level) / 2
    low, high = np.percentile(np.concatenate(stats), [100 * alpha, 100 * (1 - alpha)])
    return estimate, float(low), float(high)


def pareto_front(df: pd.DataFrame, cost: str = "cost", score: str = "score",
                 direction: str = "maximize") -> pd.DataFrame:
    """Rows not dominated by another row (lower-or-equal cost and better-or-equal score, one of them strictly).

    Rows with NaN cost or score are left out; identical (cost, score) rows do not dominate each other.

    Args:
        df: Any frame with the two columns.
        cost: Column to minimise.
        score: Column to optimise in ``direction``.
        direction: 'maximize' | 'minimize' for ``score``.

    Returns:
        The front rows (original index), sorted by cost.
    """
    sign = 1.0 if _is_max(direction) else -1.0
    d = df[df[cost].notna() & df[score].notna()]
    c, v = d[cost].to_numpy(dtype=float), sign * d[score].to_numpy(dtype=float)
    order = np.lexsort((-v, c))  # by cost, then best score first
    keep, running, i = [], -np.inf, 0
    while i < order.size:
        j = i
        while j < order.size and c[order[j]] == c[order[i]]:
            j += 1
        top = v[order[i]]
        if top > running:  # strictly better than everything cheaper: the group's best rows are on the front
            keep += [k for k in order[i:j] if v[k] == top]
            running = top
        i = j
    return d.iloc[keep]


# --------------------------------------------------------------------------------------------- actions and exits

_WRITE = re.compile(r"""\bopen\(.*?,\s*(mode\s*=\s*)?['"][wax]b?\+?b?['"]|\.write_(text|bytes)\(""")
_SHELL_CELL_MAGICS = {"bash", "sh", "script", "system"}
_WRAPPER_CELL_MAGICS = {"time", "timeit", "capture"}  # the body decides
_SHELL_MAGICS = {"pip", "conda", "mamba", "sx", "system", "cd", "mkdir", "rm", "rmdir", "mv", "cp"}
_INSPECT_MAGICS = {"cat", "pycat", "less", "more", "ls", "ll", "pwd", "who", "whos", "who_ls", "pinfo", "pinfo2",
                   "psource", "pdoc", "pdef", "pfile", "history", "lsmagic", "env"}
_READ_CALLS = {
    "print", "display", "pprint", "help", "len", "type", "dir", "vars", "repr", "str", "sorted", "list", "dict",
    "open", "Path", "read", "readline", "readlines", "read_text", "read_csv", "read_json", "read_parquet", "load",
    "loads", "listdir", "scandir", "glob", "rglob", "iterdir", "exists", "is_file", "is_dir", "getsize", "stat",
    "head", "tail", "describe", "info", "sample", "value_counts", "nunique", "unique", "isna", "isnull", "sum", "mean",
    "keys", "values", "items", "format", "join", "splitlines", "split", "strip", "getsource", "Markdown",
}


def _magic(line: str, prefix: str) -> str:
    return line[len(prefix):].split(maxsplit=1)[0] if line[len(prefix):].strip() else ""


def _read_only(node: ast.AST) -> bool:
    """No walrus, and every call in ``node`` is to a known read/print/display function or method."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.NamedExpr):
            return False
        if isinstance(sub, ast.Call):
            name = sub.func.id if isinstance(sub.func, ast.Name) else getattr(sub.func, "attr", None)
            if name not in _READ_CALLS:
                return False
    return True


def _inspect_stmt(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return True
    if isinstance(stmt, ast.Expr):
        return _read_only(stmt.value)
    if isinstance(stmt, ast.With):  # with open(...) as f: print(f.read())
        return all(_read_only(item.context_expr) for item in stmt.items) and all(map(_inspect_stmt, stmt.body))
    return False


def _is_inspect(source: str) -> bool:
    code = []
    for raw in source.splitlines():
        line = raw.strip()
        if line.startswith("%") and _magic(line, "%") in _INSPECT_MAGICS and "=" not in line:  # not %env X=1
            continue
        if line.startswith("?") or (line.endswith("?") and not line.startswith("#")):  # IPython help: ?x, x??
            continue
        if line.startswith(("!", "%")):
            return False
        code.append(raw)
    if not "".join(code).strip():
        return True  # only inspect magics and help lines
    try:
        body = ast.parse("\n".join(code)).body
    except SyntaxError:
        return False
    has_non_import = any(not isinstance(s, ast.Import | ast.ImportFrom) for s in body)
    return has_non_import and all(map(_inspect_stmt, body))


def action_kind(source: str) -> str:
    """Classify a notebook cell run by an agent. Comment and blank lines are ignored; the first rule that applies:

    1. 'validate' / 'submit': the cell is only ``%validate`` or ``%submit`` (submit wins if both).
    2. A first-line cell magic: ``%%writefile`` -> 'edit'; ``%%bash``, ``%%sh``, ``%%script``, ``%%system`` ->
       'shell'; ``%%time``, ``%%timeit``, ``%%capture`` -> the kind of the body; any other -> 'run'.
    3. 'edit': a line opens a file for writing (``open(..., 'w'|'a'|'x')``) or calls ``.write_text`` /
       ``.write_bytes``.
    4. 'shell': every line is a ``!`` command or a shell line magic (``%pip``, ``%conda``, ``%cd``, ...).
    5. 'inspect': only reads, prints or displays: inspect line magics (``%cat``, ``%ls``, ``%pwd``, ...), IPython
       help (``x?``), and Python statements that are bare expressions (or ``with`` blocks of them) whose every call
       is a known read/print/display function (``print``, ``open``, ``.read``, ``.head``, ``help``, ...), plus
       imports; at least one non-import statement.
    6. 'run': everything else, including empty cells, code mixed with ``%validate``, and unparseable code.

    Args:
        source: The cell's source.

    Returns:
        One of ACTION_KINDS.
    """
    raw = source.splitlines()
    meaningful = [i for i, ln in enumerate(raw) if ln.strip() and not ln.strip().startswith("#")]
    lines = [raw[i].strip() for i in meaningful]
    if not lines:
        return "run"
    if set(lines) <= {"%validate", "%submit"}:
        return "submit" if "%submit" in lines else "validate"
    if lines[0].startswith("%%"):
        magic = _magic(lines[0], "%%")
        if magic == "writefile":
            return "edit"
        if magic in _SHELL_CELL_MAGICS:
            return "shell"
        if magic in _WRAPPER_CELL_MAGICS and len(lines) > 1:
            return action_kind("\n".join(raw[meaningful[0] + 1:]))
        return "run"
    if any(_WRITE.search(ln) for ln in lines):
        return "edit"
    if all(ln.startswith("!") or (ln.startswith("%") and _magic(ln, "%") in _SHELL_MAGICS) for ln in lines):
        return "shell"
    if _is_inspect(source):
        return "inspect"
    return "run"


def action_mix(steps: pd.DataFrame, n_buckets: int = 5) -> pd.DataFrame:
    """Counts and shares of action kinds (:func:`action_kind`) per agent, overall and by position in the episode.

    A step's position bucket is ``floor(n_buckets * rank / n)``, with rank its 0-based order among the n steps of its
    episode (the ``episode`` column if present, else all steps of the agent form one episode).

    Args:
        steps: Columns agent, step, source (and optionally episode).
        n_buckets: Number of position buckets (5 = quintiles).

    Returns:
        Long frame: agent, bucket ('all', then '1/5' .. '5/5'), kind, count, share (of the agent x bucket steps;
        NaN for an empty bucket). Every agent x bucket x kind is present.
    """
    df = steps.assign(kind=steps["source"].map(action_kind))
    group = ["agent", "episode"] if "episode" in df.columns else ["agent"]
    rank = df.groupby(group)["step"].rank(method="first") - 1
    size = df.groupby(group)["step"].transform("size")
    labels = [f"{i + 1}/{n_buckets}" for i in range(n_buckets)]
    df["bucket"] = [labels[int(b)] for b in (rank * n_buckets // size)]
    both = pd.concat([df.assign(bucket="all"), df])
    agents = list(dict.fromkeys(df["agent"]))
    full = pd.MultiIndex.from_product([agents, ["all", *labels], list(ACTION_KINDS)],
                                      names=["agent", "bucket", "kind"])
    counts = both.groupby(["agent", "bucket", "kind"]).size().reindex(full, fill_value=0)
    totals = counts.groupby(level=["agent", "bucket"]).transform("sum")
    return pd.DataFrame({"count": counts, "share": counts / totals.where(totals > 0)}).reset_index()


def exit_counts(episodes: pd.DataFrame) -> pd.DataFrame:
    """Number of episodes per agent and exit.

    Args:
        episodes: Columns agent, exit. Exits outside the closed set EXITS are kept as they are (NaN -> 'unknown').

    Returns:
        Wide frame indexed by agent: one column per exit of EXITS (zeros included), then any other exits (sorted),
        then 'total'.
    """
    exits = episodes["exit"].fillna("unknown").astype(str)
    table = pd.crosstab(episodes["agent"], exits)
    extra = sorted(c for c in table.columns if c not in EXITS)
    table = table.reindex(columns=[*EXITS, *extra], fill_value=0)
    table["total"] = table.sum(axis=1)
    table.columns.name = "exit"
    return table
