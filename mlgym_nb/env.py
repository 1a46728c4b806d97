"""NotebookEnv: a gymnasium.Env whose actions are notebook cells run in a task's kernel.

An action is the source of one cell. ``%validate`` scores the workspace on the dev split and
``%submit`` on the test split, ending the episode; both run the grader in its own sandbox.
Every step is appended to the episode notebook, which is saved before ``step`` returns.

Reward: 0 for every step but the final grading, where it is the relative improvement over the
task's baseline test score (positive is better, whatever the metric's direction), and -1 when
the final submission is missing or invalid.
"""

from __future__ import annotations

import atexit
import datetime as dt
import math
import random
import string
import threading
import time
import weakref
from pathlib import Path
from typing import Any

import gymnasium as gym

from .episode import ACTION_SPLITS, EpisodeRecorder, setup_source
from .errors import EpisodeError
from .grading import Score, grade
from .kernel import CellResult, KernelSession
from .pool import KernelPool
from .tasks import TaskSpec, load_task
from .workspace import ensure_unused, new_workspace

_open_envs: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _close_all() -> None:  # no container outlives the process, even after Ctrl-C
    for env in list(_open_envs):
        env.close()


class TextSpace(gym.spaces.Space[str]):
    """Unicode text up to ``max_length`` characters (gymnasium's Text space allows only a fixed charset)."""

    def __init__(self, max_length: int = 1_000_000, seed: int | None = None) -> None:
        super().__init__(shape=None, dtype=str, seed=seed)
        self.max_length = max_length

    def sample(self, mask: Any = None, probability: Any = None) -> str:
        # A harmless cell: a random comment, so env checkers can step without side effects.
        word = "".join(self.np_random.choice(list(string.ascii_lowercase), size=8))
        return f"# {word}"

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and len(x) <= self.max_length

    @property
    def is_np_flattenable(self) -> bool:
        return False


def relative_improvement(task: TaskSpec, score: Score) -> float:
    """Reward of a final score: (score - baseline) / |baseline|, sign-adjusted for minimised metrics."""
    base = task.baseline.get(score.split)
    if score.status != "scored":
        return -1.0
    if base is None or base == 0:
        return 0.0
    gain = (score.value - base) / abs(base)
    return gain if task.metric.direction == "maximize" else -gain


class NotebookEnv(gym.Env[str, str]):
    """A task as a gymnasium environment whose actions are notebook cells.

    Args:
        task: task id or spec.
        sandbox: ``docker``, ``local`` or ``auto`` (Docker when a daemon answers).
        episode: path of the episode notebook (default ``episodes/<task>-<time>.ipynb``); the
            workspace is the folder beside it, ``<name>.workspace``.
        agent: what drives the env, recorded in the notebook (a name or a dict).
        max_steps, episode_time, cell_timeout: override the task's budgets.
        output_limit: characters of cell output shown in an observation.
        warm: kernels to keep started in the background for the next resets (0: none); a
            reset then takes a ready kernel in milliseconds instead of starting one.
    """

    metadata = {"render_modes": ["ansi"]}

    def __init__(self, task: str | TaskSpec, sandbox: str = "auto", episode: str | Path | None = None,
                 agent: str | dict = "manual", max_steps: int | None = None, episode_time: float | None = None,
                 cell_timeout: float | None = None, output_limit: int = 4000, render_mode: str | None = None,
                 warm: int = 0):
        self.task = task if isinstance(task, TaskSpec) else load_task(task)
        self.sandbox = sandbox
        self.episode_path = Path(episode) if episode else None
        self.agent = agent if isinstance(agent, dict) else {"name": agent}
        limits = self.task.limits
        self.max_steps = max_steps or limits.max_steps
        self.episode_time = episode_time or limits.episode_time
        self.cell_timeout = cell_timeout or limits.cell_timeout
        self.output_limit = output_limit
        self.render_mode = render_mode
        self.observation_space = TextSpace()
        self.action_space = TextSpace()
        self.warm = warm
        self._closers: list[threading.Thread] = []
        self.pool: KernelPool | None = None
        self.session: KernelSession | None = None
        self.recorder: EpisodeRecorder | None = None
        self.workspace: Path | None = None
        self._episodes = 0
        self._steps = 0
        self._started = 0.0
        self._done = True
        self._last_obs = ""

    # -- gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict]:
        super().reset(seed=seed)
        self._finish_open_episode("abandoned (reset)")
        self._shutdown(background=self.pool is not None)
        path = self._next_episode_path()
        target = path.resolve().with_suffix(".workspace")
        _open_envs.add(self)
        self.session = self.pool.take() if self.pool else None
        if self.session is not None:
            try:
                ensure_unused(target)
            except EpisodeError:
                self.session.close()
                raise
            target.parent.mkdir(parents=True, exist_ok=True)
            self.session.move_workspace(target)
        else:
            self.session = KernelSession(self.task, new_workspace(self.task, target), self.sandbox)
            self.session.start()
        self.workspace = self.session.workspace
        if self.warm and self.pool is None:  # start warming after the first kernel, not before it
            self.pool = KernelPool(self.task, self.sandbox, self.warm, target.parent / ".mlgym-pool")
        self.recorder = EpisodeRecorder(path, self.task, seed, {
            "agent": self.agent, "sandbox": self.session.sandbox.describe(), "workspace": str(self.workspace),
            "limits": {"max_steps": self.max_steps, "episode_time": self.episode_time,
                       "cell_timeout": self.cell_timeout}})
        for cell_id, source in [("parameters", self.recorder.nb.cells[1].source), ("setup", setup_source())]:
            result = self.session.run(source, timeout=60)
            self.recorder.record_setup(cell_id, result.outputs, result.execution_count)
        self._steps, self._started, self._done = 0, time.monotonic(), False
        self._last_obs = self._task_prompt()
        return self._last_obs, {**self._info(), "episode": str(path), "workspace": str(self.workspace)}

    def step(self, action: str, thought: str | None = None,
             meta: dict[str, Any] | None = None) -> tuple[str, float, bool, bool, dict]:
        """Run one cell (or ``%validate`` / ``%submit``).

        ``thought`` is recorded as a markdown cell above the action, ``meta`` (the agent's usage:
        tokens, cost, latency) under the cell's ``metadata.mlgym.agent``.
        """
        if self._done or self.session is None or self.recorder is None:
            raise EpisodeError("the episode is over or not started; call reset() first")
        if not isinstance(action, str):
            raise TypeError(f"an action is the source of a cell (str), got {type(action).__name__}")
        self._steps += 1
        command = action.strip()
        started = time.monotonic()
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")
        reward, terminated, score = 0.0, False, None
        if command in ACTION_SPLITS:
            kind = command[1:]
            score = self._grade(ACTION_SPLITS[command], kind)
            outputs = [score.as_output(self.task)]
            obs_text, count, status = outputs[0].text, None, score.status
            if kind == "submit":
                terminated, reward = True, relative_improvement(self.task, score)
        else:
            kind = "cell"
            result: CellResult = self.session.run(action, timeout=self.cell_timeout)
            outputs, count, status = result.outputs, result.execution_count, result.status
            obs_text = result.text(self.output_limit)
        info_cell = {"kind": kind, "status": status, "started": stamp,
                     "duration": round(time.monotonic() - started, 3)}
        if kind == "cell":
            info_cell.update(usage=result.usage, notes=result.notes)
        if score is not None:
            info_cell["score"] = score.as_dict()
        if meta:
            info_cell["agent"] = meta
        self.recorder.record_step(self._steps, action, thought, outputs, count, info_cell)
        if terminated:
            self.recorder.finish("submitted", exit="submitted")
        truncated = False
        if not terminated:
            trigger = self._budget_exhausted()
            if trigger:
                truncated = True
                score = self.end(trigger)
                reward = relative_improvement(self.task, score)
                obs_text += f"[budget exhausted ({trigger}); the workspace was graded: {score.summary(self.task)}]\n"
        self._done = terminated or truncated
        self._last_obs = obs_text + self._footer()
        info = self._info()
        info.update(kind=kind, status=status)
        if score is not None:
            info["score"] = score.value
            info["grade"] = score.as_dict()
        return self._last_obs, reward, terminated, truncated, info

    def end(self, exit: str) -> Score:
        """End the episode early for ``exit`` (a budget, the agent's format or API failure...).

        The workspace is graded on the test split as it is (an autosubmission, as MLGym does) and
        the notebook records ``exit_status`` ``autosubmission (<exit>)``. Returns the score.
        """
        if self._done or self.recorder is None:
            raise EpisodeError("the episode is over or not started")
        score = self._grade("test", "autosubmit")
        self.recorder.finish(f"autosubmission ({exit})", exit=exit)
        self._done = True
        return score

    def render(self) -> str | None:
        return self._last_obs if self.render_mode == "ansi" else None

    def close(self) -> None:
        """End the episode (recorded as interrupted if unfinished) and remove the kernel. Safe twice."""
        self._finish_open_episode("interrupted (closed)")
        self._shutdown()
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        _open_envs.discard(self)

    def __enter__(self) -> NotebookEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers ---------------------------------------------------------------------------
    def _grade(self, split: str, kind: str) -> Score:
        assert self.workspace is not None and self.recorder is not None
        score = grade(self.task, self.workspace, split, self.sandbox)
        self.recorder.meta["scores"].append({"step": self._steps, "kind": kind, **score.as_dict()})
        return score

    def _budget_exhausted(self) -> str | None:
        if self._steps >= self.max_steps:
            return "max_steps"
        if time.monotonic() - self._started >= self.episode_time:
            return "time"
        return None

    def _finish_open_episode(self, exit_status: str) -> None:
        if self.recorder is not None and not self._done:
            self.recorder.finish(exit_status, status="interrupted")
        self._done = True

    def _shutdown(self, background: bool = False) -> None:
        """Close the kernel; in the background on warm resets (removal takes ~0.2 s), joined by close()."""
        if self.session is not None:
            if background:
                closer = threading.Thread(target=self.session.close, daemon=True)
                closer.start()
                self._closers.append(closer)
            else:
                self.session.close()
            self.session = None
        if not background:
            for closer in self._closers:
                closer.join()
            self._closers.clear()

    def _next_episode_path(self) -> Path:
        self._episodes += 1
        if self.episode_path is None:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            suffix = "".join(random.choices(string.ascii_lowercase, k=4))
            return Path("episodes") / f"{self.task.id}-{stamp}-{suffix}.ipynb"
        if self._episodes == 1:
            return self.episode_path
        return self.episode_path.with_name(f"{self.episode_path.stem}-{self._episodes - 1}.ipynb")

    def _footer(self) -> str:
        # Whole minutes: an observation should not change with sub-second timing noise.
        left = max(0.0, self.episode_time - (time.monotonic() - self._started))
        return f"(step {self._steps}/{self.max_steps}, {math.ceil(left / 60)} min left)"

    def _info(self) -> dict[str, Any]:
        return {"task": self.task.id, "step": self._steps}

    def _task_prompt(self) -> str:
        files = sorted(p.name for p in self.workspace.iterdir()) if self.workspace else []
        return (f"{self.task.read_description().strip()}\n\n"
                f"You act by running Python cells in a Jupyter kernel; state persists between cells. The "
                f"working directory is /workspace (files: {', '.join(files) or 'none'}); data is read-only in "
                f"/data. IPython magics work (%%writefile, !cmd). A cell may run {self.cell_timeout:g} s. "
                f"Run `%validate` to score your work on the development split, `%submit` to score it on the "
                f"test split and end the episode. Budget: {self.max_steps} steps, {self.episode_time:g} s.")


def make(task: str, **kwargs: Any) -> NotebookEnv:
    """Create a NotebookEnv, gymnasium-style: ``mlgym_nb.make("prisoners_dilemma", sandbox="docker")``."""
    return NotebookEnv(task, **kwargs)
