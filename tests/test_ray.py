"""The Ray executor on a real two-node Ray cluster on this machine (head 127.0.0.2, worker 127.0.0.3).

The nodes are separate `ray start --block` processes with their own temp folders and ports and token
authentication on; they are stopped by pid (never `ray stop`, which stops every Ray process here).
Skipped without Ray, unless MLGYM_REQUIRE_RAY=1 (CI), where a missing Ray fails.
"""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import our_containers

import mlgym_nb
from mlgym_nb.episode import load_episode
from mlgym_nb.sweep import LocalExecutor, grid, read_index, run_sweep

pytestmark = [pytest.mark.docker, pytest.mark.ray]


@pytest.fixture(scope="module")
def ray_cluster():
    if importlib.util.find_spec("ray") is None:
        if os.environ.get("MLGYM_REQUIRE_RAY") == "1":
            pytest.fail('MLGYM_REQUIRE_RAY=1 but Ray is not installed: pip install "mlgym_nb[ray]"')
        pytest.skip('Ray is not installed: pip install "mlgym_nb[ray]"')
    from mlgym_nb.sweep.ray_cluster import LocalRayCluster

    with LocalRayCluster(nodes=2) as address:
        yield address


def _replay_episode(path, cells):
    with mlgym_nb.make("prisoners_dilemma", sandbox="docker", episode=path) as env:
        env.reset(seed=0)
        for cell in cells:
            env.step(cell)
    return path


def _specs(replay, seeds):
    return grid(["prisoners_dilemma"], ["replay"], [], seeds, sandbox="docker", options={"replay": str(replay)})


def test_episodes_use_both_nodes_within_their_requests_and_match_local_ones(ray_cluster, tmp_path):
    from mlgym_nb.sweep.ray_executor import RayExecutor

    reference = mlgym_nb.load_task("prisoners_dilemma").reference_cells()
    replay = _replay_episode(tmp_path / "ref.ipynb", ["import time; time.sleep(2)", *reference])
    specs = _specs(replay, [0, 1, 2, 3])
    report = run_sweep(specs, tmp_path / "ray", RayExecutor(), parallel=4, progress=False)
    assert not report.failed and len(report.done) == 4
    index = read_index(tmp_path / "ray")
    assert len({line["node"] for line in index}) == 2  # both nodes worked
    assert {line["final"]["test"] for line in index} == {load_episode(replay).meta.scores[-1].test.value}
    spans = [(load_episode(tmp_path / "ray" / line["episode"]).meta.started,
              load_episode(tmp_path / "ray" / line["episode"]).meta.finished) for line in index]
    overlap = max(sum(1 for s, f in spans if s <= start < f) for start, _ in spans)
    assert overlap <= 2  # one mlgym_docker slot per node: never more than two episodes at once

    local = run_sweep(specs[:2], tmp_path / "local", LocalExecutor(), parallel=2, progress=False)
    assert not local.failed
    for spec in specs[:2]:
        pair = [str(tmp_path / folder / f"{spec.key}.ipynb") for folder in ("local", "ray")]
        proc = subprocess.run([sys.executable, "-m", "mlgym_nb.cli", "diff", *pair], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert (tmp_path / "ray" / f"{spec.key}.workspace" / "strategy.py").read_text() == \
               (tmp_path / "local" / f"{spec.key}.workspace" / "strategy.py").read_text()


def test_a_killed_worker_is_retried_once_and_leaves_no_container(ray_cluster, tmp_path):
    from mlgym_nb.sweep.ray_executor import RayExecutor

    replay = _replay_episode(tmp_path / "slow.ipynb", ["import time; time.sleep(6)", "%submit"])
    executor = RayExecutor()
    job = executor.start(_specs(replay, [0])[0], tmp_path / "out" / "s0.ipynb")
    deadline = time.monotonic() + 120
    killed = None
    while killed is None and time.monotonic() < deadline:
        for container in our_containers():
            pid = int(container.labels["mlgym.owner"].split(":")[1])
            if "ray" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                os.kill(pid, signal.SIGKILL)  # the Ray worker running the episode dies mid-episode
                killed = container.name
                break
        time.sleep(0.2)
    assert killed, "no episode container appeared"
    done = []
    while not done and time.monotonic() < deadline + 180:
        done = executor.wait([job], timeout=1)
    (_, outcome), = done
    executor.close()
    assert outcome.error is None, outcome.error
    assert outcome.extra["attempt"] == 2 and killed in outcome.extra["reaped"]
    meta = load_episode(tmp_path / "out" / "s0.ipynb").meta
    assert meta.exit == "submitted" and meta.extra["attempt"] == 2
    assert our_containers() == []
    assert json.dumps(outcome.summary)  # the summary crossed the object store intact


def test_a_nodes_ports_are_distinct_and_outside_its_worker_range():
    """Ray refuses to start a node whose components share a port; free ports picked one by one can."""
    from mlgym_nb.sweep.ray_cluster import WORKER_PORTS, _node_ports

    for _ in range(200):
        low, ports = _node_ports("127.0.0.2", 8)
        assert len(set(ports)) == 8 and not any(low <= p < low + WORKER_PORTS for p in ports)
