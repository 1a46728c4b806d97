"""NotebookEnv: a gymnasium.Env whose actions are notebook cells run in a task's kernel.

An action is the source of one cell (a str), or an ``Action`` carrying the cell with its
reasoning and the agent's usage. ``%validate`` scores a snapshot of the workspace on the dev split
and ``%submit`` on the test split, ending the episode; both run the grader in its own sandbox.
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

from .actions import Action, execute_step
from .episode import EpisodeRecorder, setup_source
from .errors import EpisodeError
from .grading import grade_splits, summary
from .kernel import KernelSession
from .pool import KernelPool
from .sandbox import resolve
from .schema import AgentStep, Score
from .tasks import TaskSpec, load_task
from .workspace import Workspace, ensure_unused

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
        if isinstance(x, Action):
            x = x.cell
        return isinstance(x, str) and len(x) <= self.max_length

    @property
    def is_np_flattenable(self) -> bool:
        return False


def relative_improvement(task: TaskSpec, score: Score) -> float:
    """Reward of a final score: (score - baseline) / |baseline|, sign-adjusted for minimised metrics."""
    base = task.baseline.get(score.split)
    if score.status != "scored" or score.value is None:
        return -1.0
    if base is None or base == 0:
        return 0.0
    gain = (score.value - base) / abs(base)
    return gain if task.metric.direction == "maximize" else -gain


class NotebookEnv(gym.Env[str, str]):
    """A task as a gymnasium environment whose actions are notebook cells.

    Args:
        task: task id or spec.
        sandbox: a sandbox choice: ``auto`` (Docker when a daemon answers, else local), ``docker``,
            ``local`` (bubblewrap when usable, else none), ``bubblewrap``, ``none``.
        episode: path of the episode notebook (default ``episodes/<task>-<time>.ipynb``); the
            workspace ends up beside it, ``<name>.workspace``.
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
        self.sandbox = resolve(sandbox, self.task.family)
        """The backend every kernel and grading of this env uses (``auto`` and ``local`` decided once)."""
        self.episode_path = Path(episode) if episode else None
        self.agent = agent if isinstance(agent, dict) else {"name": agent}
        limits = self.task.limits
        self.max_steps = max_steps or limits.max_steps
        self.episode_time = episode_time or limits.episode_time
        self.cell_timeout = cell_timeout or limits.cell_timeout
        self.output_limit = output_limit
        self.on_output: Any = None
        """Called with (name, text) as a cell's outputs arrive, from the kernel session's thread (a live view)."""
        self.render_mode = render_mode
        self.observation_space = TextSpace()
        self.action_space = TextSpace()
        self.warm = warm
        self._closers: list[threading.Thread] = []
        self.pool: KernelPool | None = None
        self.session: KernelSession | None = None
        self.workspace: Workspace | None = None
        self.recorder: EpisodeRecorder | None = None
        self._episodes = 0
        self._steps = 0
        self._started = 0.0
        self._done = True
        self._last_obs = ""

    # -- gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict]:
        super().reset(seed=seed)
        if seed is None:  # gymnasium's own RNG picks it, and the notebook records the seed the kernel got
            seed = int(self.np_random.integers(0, 2**31 - 1))
        self._finish_open_episode()
        self._shutdown(background=self.pool is not None)
        path = self._next_episode_path()
        archive = path.absolute().with_suffix(".workspace")
        ensure_unused(archive)
        _open_envs.add(self)
        taken = self.pool.take() if self.pool else None
        if taken is not None:
            self.session, self.workspace = taken
            self.workspace.claim(archive)
        else:
            self.workspace = Workspace.create(self.task, archive)
            self.session = KernelSession(self.task, self.workspace.path, self.sandbox)
            try:
                self.session.start()
            except BaseException:
                self.session.close()
                self.workspace.discard()  # the episode never began: nothing to keep
                self.session = self.workspace = None
                raise
        if self.warm and self.pool is None:  # start warming after the first kernel, not before it
            self.pool = KernelPool(self.task, self.sandbox, self.warm)
        assert self.session.sandbox is not None
        limits = {"max_steps": self.max_steps, "episode_time": self.episode_time, "cell_timeout": self.cell_timeout}
        self.recorder = EpisodeRecorder(path, self.task, seed, agent=self.agent, workspace=str(archive), limits=limits,
                                        sandbox=self.session.sandbox.describe())
        for cell_id, source in [("parameters", self.recorder.nb.cells[1].source), ("setup", setup_source())]:
            result = self.session.run(source, timeout=60)
            self.recorder.record_setup(cell_id, result.outputs, result.execution_count)
        self._steps, self._started, self._done = 0, time.monotonic(), False
        self._last_obs = self._task_prompt()
        return self._last_obs, {**self._info(), "episode": str(path), "workspace": str(archive), "seed": seed}

    def step(self, action: str | Action) -> tuple[str, float, bool, bool, dict]:
        """Run one cell, or ``%validate`` / ``%submit``. Raises EpisodeError outside an episode."""
        if self._done or self.session is None or self.recorder is None:
            raise EpisodeError("the episode is over or not started; call reset() first")
        if isinstance(action, str):
            action = Action(cell=action)
        if not isinstance(action, Action):
            raise TypeError(f"an action is the source of a cell (str) or an Action, got {type(action).__name__}")
        self._steps += 1
        result = execute_step(self.session, self.task, action.cell, self._steps, self.sandbox, self.cell_timeout,
                              self.output_limit, self.on_output)
        if action.meta:
            result.record.agent = AgentStep(**action.meta)
        self.recorder.record_step(result.record, action.cell, action.thought or None, result.outputs,
                                  result.execution_count)
        obs_text, reward, terminated, truncated = result.observation, 0.0, False, False
        score = result.shown
        if result.record.kind == "submit" and score is not None:
            terminated, reward = True, relative_improvement(self.task, score)
            self.recorder.finish("submitted")
        else:
            trigger = self._budget_exhausted()
            if trigger:
                truncated = True
                score = self.end(trigger)
                reward = relative_improvement(self.task, score)
                obs_text += f"[budget exhausted ({trigger}); the workspace was graded: {summary(score, self.task)}]\n"
        self._done = terminated or truncated
        self._last_obs = obs_text + self._footer()
        info = {**self._info(), "kind": result.record.kind, "status": result.record.status}
        if score is not None:
            info["score"] = score.value
            info["grade"] = score
        return self._last_obs, reward, terminated, truncated, info

    def end(self, exit: str, message: str = "") -> Score:
        """End the episode early for ``exit`` (a budget, the agent's format or API failure...).

        The workspace is graded as it is (an autosubmission, as MLGym does); the notebook records
        ``exit``. Returns the test score.
        """
        if self._done or self.recorder is None or self.workspace is None:
            raise EpisodeError("the episode is over or not started")
        scores = grade_splits(self.task, self.workspace.path, sandbox=self.sandbox)
        self.recorder.add_scores(self._steps, "autosubmit", scores)
        self.recorder.finish(exit, message)
        self._done = True
        return scores["test"]

    def render(self) -> str | None:
        return self._last_obs if self.render_mode == "ansi" else None

    def close(self) -> None:
        """End the episode (recorded as interrupted if unfinished) and remove the kernel. Safe twice."""
        self._finish_open_episode()
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
    def _budget_exhausted(self) -> str | None:
        if self._steps >= self.max_steps:
            return "max_steps"
        if time.monotonic() - self._started >= self.episode_time:
            return "time"
        return None

    def _finish_open_episode(self) -> None:
        if self.recorder is not None and not self._done:
            self.recorder.finish("interrupted", "the episode was closed or reset before it ended")
        self._done = True

    def _shutdown(self, background: bool = False) -> None:
        """Stop the kernel and archive its workspace; in the background on warm resets, joined by close()."""
        session, workspace = self.session, self.workspace
        self.session = self.workspace = None

        def stop() -> None:
            try:
                if session is not None:
                    session.close()
            finally:
                if workspace is not None:
                    workspace.finish()

        if background:
            closer = threading.Thread(target=stop, daemon=True)
            closer.start()
            self._closers.append(closer)
        else:
            stop()
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
        assert self.workspace is not None
        files = sorted(p.name for p in self.workspace.path.iterdir())
        graded = ", ".join(self.task.grader.submission) or "the files the task names"
        return (f"{self.task.read_description().strip()}\n\n{_starter_listing(self.workspace.path)}"
                f"You act by running Python cells in a Jupyter kernel; state persists between cells. The "
                f"working directory is /workspace (files: {', '.join(files) or 'none'}); data is read-only in "
                f"/data. IPython magics work (%%writefile, !cmd). A cell may run {self.cell_timeout:g} s. "
                f"Only these workspace files are graded: {graded} (variables in the kernel are not). "
                f"Run `%validate` to score your work on the development split, `%submit` to score it on the "
                f"test split and end the episode. Budget: {self.max_steps} steps, {self.episode_time:g} s.")


def _starter_listing(folder: Path, max_lines: int = 120) -> str:
    """The workspace's small text files with line numbers: the first observation shows what there is to change."""
    parts = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".py", ".txt", ".md", ".yaml"))[:3]:
        lines = path.read_text(errors="replace").splitlines()
        if len(lines) <= max_lines:
            numbered = "\n".join(f"{i:4d}| {line}" for i, line in enumerate(lines, 1))
            parts.append(f"/workspace/{path.name} ({len(lines)} lines):\n{numbered}\n")
    return "".join(f"{p}\n" for p in parts)


def make(task: str, **kwargs: Any) -> NotebookEnv:
    """Create a NotebookEnv, gymnasium-style: ``mlgym_nb.make("prisoners_dilemma", sandbox="docker")``."""
    return NotebookEnv(task, **kwargs)
