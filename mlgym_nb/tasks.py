"""Task specs: ``tasks/<id>/task.yaml`` loaded into validated, documented config objects."""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path
from typing import Literal

import yaml
from docker.utils import parse_bytes
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from .errors import TaskError
from .paths import PROJECT_ROOT, task_dirs

_SIZE = re.compile(r"^\d+(\.\d+)?[kmg]?$", re.I)


def parse_size(text: str) -> int:
    """Bytes in a size like ``512m`` or ``2g`` (Docker's notation)."""
    return int(parse_bytes(text.strip()))


def _check_size(value: str) -> str:
    if not _SIZE.match(value):
        raise ValueError(f"expected a size like 512m or 2g, got {value!r}")
    return value


def _relative_paths(names: list[str], inside: str) -> list[str]:
    for name in names:
        parts = name.rstrip("/").split("/")
        if name.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"{name!r} must be a relative path inside {inside}, without . or ..")
    return names


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricSpec(_Spec):
    """The score the grader reports and how to compare it."""

    name: str
    """Key of the metric in the grader's JSON output."""
    direction: Literal["maximize", "minimize"]
    """Whether a higher or a lower value is better."""
    tolerance: float = 0.0
    """Absolute difference under which two scores count as equal (reruns, baseline checks)."""
    profile_shift: float = 0.0
    """Added to scores before performance ratios (AUP), which need non-negative scores: a signed metric
    states its shift here (Blotto's payoff in [-1, 1] shifts by 1)."""


class LimitsSpec(_Spec):
    """Budgets of one episode."""

    cell_timeout: float = Field(120.0, gt=0)
    """Seconds a cell may run before it is interrupted."""
    episode_time: float = Field(3600.0, gt=0)
    """Wall-clock seconds for the whole episode; past it the episode is truncated."""
    max_steps: int = Field(50, gt=0)
    """Steps (cells, validates, submits) before the episode is truncated."""


class ResourcesSpec(_Spec):
    """Resource limits of the agent's kernel container."""

    memory: str = "2g"
    """Memory limit, swap included (Docker notation: 512m, 2g)."""
    cpus: float = Field(1.0, gt=0)
    """CPU quota in cores."""
    pids: int = Field(256, gt=8)
    """Maximum number of processes and threads."""
    tmpfs: str = "512m"
    """Size of the writable /tmp."""
    gpus: int = Field(0, ge=0)
    """GPUs the episode needs: requested from Ray, passed to the kernel's container with Docker's --gpus."""
    disk: str = "2g"
    """Size of the workspace: writes past it fail with ENOSPC in the kernel (enforced when run as root)."""

    @field_validator("memory", "tmpfs", "disk")
    @classmethod
    def _size(cls, value: str) -> str:
        return _check_size(value)

    @property
    def memory_bytes(self) -> int:
        return parse_size(self.memory)

    @property
    def disk_bytes(self) -> int:
        return parse_size(self.disk)


class GraderSpec(_Spec):
    """How submissions are scored, in a sandbox of their own that alone sees the hidden data."""

    script: str = "grader/evaluate.py"
    """Grader script, relative to the task folder; prints one JSON dict of metrics."""
    timeout: float = Field(600.0, gt=0)
    """Seconds the grader may run."""
    submission: list[str] = []
    """Workspace files the grader reads (a name ending in ``/`` is a folder). Only these are copied, as
    regular files, into the grader's /submission; the grader never sees the workspace."""
    max_submission_size: str = "64m"
    """Total size of the submission files; more makes the submission invalid."""
    resources: ResourcesSpec | None = None
    """Limits of the grader's sandbox (default: the task's ``resources``)."""
    timed: bool = False
    """The grader times submitted code: grade the splits one after the other, not side by side."""

    @field_validator("max_submission_size")
    @classmethod
    def _size(cls, value: str) -> str:
        return _check_size(value)

    @field_validator("submission")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        return _relative_paths(value, "the workspace")


class DataSpec(_Spec):
    """Data a task needs from outside the project, which ``mlgym-nb data fetch`` gets from its source into
    the task's data folder (``$MLGYM_DATA/<id>``); prepare.py reads it from there (its second argument)."""

    source: Literal["kaggle", "huggingface", "torchvision", "ogb"]
    """Where the data comes from: a Kaggle competition, a Hugging Face dataset repository, a torchvision
    dataset class or an OGB dataset."""
    name: str
    """The dataset at its source (``spaceship-titanic``, ``stanfordnlp/imdb``, ``CIFAR10``, ``ogbn-arxiv``)."""
    files: list[str]
    """What prepare.py reads, relative to the data folder (a name ending in ``/`` is a folder)."""
    size: str = ""
    """The download's size, as a user reads it (``1.2 MB``)."""
    licence: str
    """The data's licence or terms of use, in a few words."""
    terms: str = ""
    """What a user must accept before the source serves the data (Kaggle competition rules)."""
    allow_patterns: list[str] = []
    """Hugging Face: the repository files to fetch (all when empty)."""
    standin: str = "standin.py"
    """Writes a small synthetic copy with the real data's schema (``python standin.py FOLDER``), on which the
    tests run the real loader, baseline and grader; its scores are never real."""

    @field_validator("files")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        return _relative_paths(value, "the data folder")


class OriginSpec(_Spec):
    """A benchmark the task comes from, with that benchmark's own numbers (ours are measured here)."""

    benchmark: Literal["MLGym-Bench", "MLAgentBench"]
    name: str
    """The task's name there."""
    baseline: float | None = None
    """Its baseline score there, the one its success rate compares with."""
    note: str = ""


class FastSpec(_Spec):
    """A quicker ``tasks check`` for CI (``--fast``): the same code paths with smaller budgets."""

    run_baseline: str | None = None
    """The baseline cell with smaller budgets (``%run baseline.py --epochs 1``)."""
    reference: str | None = None
    """Reference cells with smaller budgets."""
    reference_edits: dict[str, str] = {}
    """Text replacements in the reference's cells (``train(epochs=5)``: ``train(epochs=1)``), for a quicker
    reference without a file of its own; each text must occur in the reference."""
    baseline: dict[str, float] = {}
    """The fast baseline's scores per split."""


class TaskSpec(_Spec):
    """One research task, as declared in its task.yaml."""

    id: str
    """Identifier, equal to the folder name; used in kernelspec names (``mlgym-<id>``)."""
    name: str
    """Human-readable title."""
    description: str = "description.md"
    """Markdown file with the task statement shown to the agent."""
    family: str = "base"
    """Kernel family whose image runs the agent's kernel and the grader."""
    starter: list[str] = ["starter"]
    """Folders whose files make the fresh workspace (the baseline), in order: a later folder's file
    replaces an earlier one's, so tasks can share files (``../_common/rl_starter``) and add their own."""
    prepare: str | None = None
    """Script that builds ``public/`` and ``hidden/`` data under the folder given as argv[1] (from the task's
    data folder, argv[2], when it has ``data``)."""
    reference: str | None = "reference/solution.py"
    """A solution as notebook cells (``# %%`` separated) that beats the baseline."""
    run_baseline: str | None = None
    """A cell that turns the starter files into a gradable submission (``%run baseline.py``);
    None when the starter files are the submission."""
    metric: MetricSpec
    baseline: dict[str, float] = {}
    """The baseline's scores per split (``dev``, ``test``), checked by ``tasks check``."""
    limits: LimitsSpec = LimitsSpec()
    resources: ResourcesSpec = ResourcesSpec()
    grader: GraderSpec = GraderSpec()
    origins: list[OriginSpec] = []
    """The benchmarks the task comes from."""
    data: DataSpec | None = None
    """External data, fetched by the user (None: the task builds its data from what the project ships)."""
    fast: FastSpec | None = None
    """How ``tasks check --fast`` runs the baseline and the reference (tasks whose full check takes long)."""

    root: Path = Field(Path("."), exclude=True)
    """Folder of the task (set by the loader)."""
    _reference_edits: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_]{0,40}", value):
            raise ValueError("use lowercase letters, digits and underscores (at most 41)")
        return value

    @field_validator("starter", mode="before")
    @classmethod
    def _folders(cls, value: str | list[str] | None) -> list[str]:
        return [] if value is None else [value] if isinstance(value, str) else value

    @property
    def kernel_name(self) -> str:
        return f"mlgym-{self.id}"

    @property
    def common_dir(self) -> Path:
        """Code shared by graders and prepare scripts: the task folder's own ``_common``, else the project's."""
        own = self.root.parent / "_common"
        return own if own.is_dir() else PROJECT_ROOT / "tasks" / "_common"

    def starter_files(self) -> dict[str, Path]:
        """The fresh workspace's files: relative path -> the task file it is copied from."""
        files: dict[str, Path] = {}
        for folder in self.starter:
            top = self.root / folder
            for path in sorted(top.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    files[path.relative_to(top).as_posix()] = path
        return files

    def copy_starter(self, dest: Path) -> None:
        """Write the starter files into ``dest`` (an existing folder)."""
        for rel, src in self.starter_files().items():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest / rel)

    def read_description(self) -> str:
        return (self.root / self.description).read_text()

    def fast_variant(self) -> TaskSpec:
        """This task with its fast baseline and reference (itself when it has no fast spec)."""
        if self.fast is None:
            return self
        fast = self.model_copy(update={"run_baseline": self.fast.run_baseline or self.run_baseline,
                                       "reference": self.fast.reference or self.reference,
                                       "baseline": self.fast.baseline or self.baseline})
        fast._reference_edits = self.fast.reference_edits
        return fast

    def reference_cells(self) -> list[str]:
        """The reference solution's cells: the text after each ``# %%`` line (the preamble is skipped)."""
        if not self.reference:
            return []
        text = (self.root / self.reference).read_text()
        for old, new in self._reference_edits.items():
            if old not in text:
                raise TaskError(f"{self.root / 'task.yaml'}: fast.reference_edits: {old!r} does not occur in "
                                f"{self.reference}")
            text = text.replace(old, new)
        cells = [c.strip("\n") for c in re.split(r"^# %%.*$", text, flags=re.M)[1:]]
        return [c for c in cells if c.strip()]


def _field_hint(loc: tuple, model: type[BaseModel]) -> str:
    """Suggest the closest valid field name for an unknown one."""
    fields: type[BaseModel] | None = model
    for part in loc[:-1]:
        ann = fields.model_fields[part].annotation if fields and part in fields.model_fields else None
        fields = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    if fields is None:
        return ""
    names = [n for n in fields.model_fields if n != "root"]
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; valid fields: {', '.join(names)}"


def load_task_file(path: Path) -> TaskSpec:
    """Load and validate one task.yaml."""
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise TaskError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise TaskError(f"{path}: expected a mapping of fields at the top level")
    try:
        spec = TaskSpec(**raw, root=path.parent)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            hint = _field_hint(err["loc"], TaskSpec) if err["type"] == "extra_forbidden" else ""
            got = "" if err["type"] in ("missing", "extra_forbidden") else f" (got {err['input']!r})"
            lines.append(f"  field {where!r}: {err['msg']}{got}{hint}")
        raise TaskError(f"{path}: invalid task spec\n" + "\n".join(lines)) from None
    if spec.id != path.parent.name:
        raise TaskError(f"{path}: field 'id' is {spec.id!r} but the folder is {path.parent.name!r}; make them equal")
    for field, rel in [(f, getattr(spec, f)) for f in ("description", "prepare", "reference")] + [
            ("fast.reference", spec.fast.reference if spec.fast else None)] + [("starter", f) for f in spec.starter]:
        if rel and not (spec.root / rel).exists():
            raise TaskError(f"{path}: field {field!r} names {rel!r}, which does not exist in {spec.root}")
    if spec.data and not (spec.root / spec.data.standin).exists():
        raise TaskError(f"{path}: field 'data.standin' names {spec.data.standin!r}, which does not exist in "
                        f"{spec.root}")
    if not (spec.root / spec.grader.script).exists():
        raise TaskError(f"{path}: field 'grader.script' names {spec.grader.script!r}, which does not exist")
    return spec


class SuiteSpec(_Spec):
    """The benchmark as a whole (``tasks/suite.yaml``): constants that make its scores comparable over time."""

    name: str
    version: int
    """Bumped whenever a task, a split or a constant below changes."""
    tau_max: float = Field(gt=0)
    """Upper bound of the log10 axis of performance profiles and AUP, fixed per version (not derived from
    the agents at hand, so adding an agent does not move the others' AUP)."""
    epsilon: float = Field(0.05, ge=0)
    """Infeasible runs get (1 + epsilon) times the worst feasible ratio of their task (MLGym's rule)."""
    success_threshold: float = 0.10
    """MLAgentBench's success: more than this relative improvement over the baseline."""


def load_suite() -> SuiteSpec:
    """The shipped benchmark's constants (tasks/suite.yaml)."""
    path = PROJECT_ROOT / "tasks" / "suite.yaml"
    try:
        return SuiteSpec(**yaml.safe_load(path.read_text()))
    except (OSError, yaml.YAMLError, ValidationError, TypeError) as exc:
        raise TaskError(f"{path}: not a valid suite file ({str(exc).splitlines()[0]})") from None


def catalog() -> tuple[list[TaskSpec], list[str]]:
    """Every task found: the specs that load, and one error line per broken task.yaml (none hides another)."""
    good, broken = [], []
    seen: set[str] = set()
    for folder in task_dirs():
        for path in sorted(folder.glob("*/task.yaml")) if folder.is_dir() else []:
            if path.parent.name in seen:
                continue  # an earlier folder's task of the same id wins, as load_task decides
            seen.add(path.parent.name)
            try:
                good.append(load_task_file(path))
            except TaskError as exc:
                broken.append(" ".join(str(exc).split()))
    return sorted(good, key=lambda t: t.id), broken


def list_tasks() -> list[str]:
    """Ids of all tasks found in the task folders."""
    ids = {p.parent.name for d in task_dirs() if d.is_dir() for p in d.glob("*/task.yaml")}
    return sorted(ids)


def load_task(task_id: str) -> TaskSpec:
    """Load a task by id, or raise TaskError listing the closest ids."""
    for folder in task_dirs():
        path = folder / task_id / "task.yaml"
        if path.exists():
            return load_task_file(path)
    known = list_tasks()
    close = difflib.get_close_matches(task_id, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known tasks: {', '.join(known) or 'none'}"
    if not (PROJECT_ROOT / "tasks").is_dir():
        hint += f" (the shipped tasks are not at {PROJECT_ROOT}: install from the checkout or set MLGYM_ROOT)"
    raise TaskError(f"unknown task {task_id!r}; {hint}")
