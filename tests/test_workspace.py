"""Workspaces: size-limited while live, archived as plain folders next to the notebook, reaped after a crash."""

import os
import subprocess
import sys
import textwrap

import pytest

import mlgym_nb
from mlgym_nb.tasks import ResourcesSpec, load_task
from mlgym_nb.workspace import Workspace, copy_tree

ROOT = os.geteuid() == 0


def test_archive_is_a_link_while_live_and_a_folder_after(tmp_path):
    task = load_task("prisoners_dilemma")
    ws = Workspace.create(task, tmp_path / "ep.workspace")
    assert (tmp_path / "ep.workspace").is_symlink() and (tmp_path / "ep.workspace" / "strategy.py").is_file()
    assert ws.disk == (task.resources.disk_bytes if ROOT else None)
    (ws.path / "out.txt").write_text("kept")
    assert ws.finish() == (tmp_path / "ep.workspace").absolute()
    assert not (tmp_path / "ep.workspace").is_symlink()
    assert (tmp_path / "ep.workspace" / "out.txt").read_text() == "kept" and not ws.path.exists()
    assert ws.finish() == (tmp_path / "ep.workspace").absolute()  # idempotent
    with pytest.raises(mlgym_nb.EpisodeError, match="already exists"):
        Workspace.create(task, tmp_path / "ep.workspace")


def test_copy_tree_keeps_links_as_links_and_skips_fifos(tmp_path):
    src = tmp_path / "src"
    (src / "d").mkdir(parents=True)
    (src / "d" / "f").write_text("x")
    (src / "link").symlink_to("/etc/shadow")  # copied as a link, never read through
    os.mkfifo(src / "fifo")
    skipped = copy_tree(src, tmp_path / "dst")
    assert skipped == [str(src / "fifo")]
    assert os.readlink(tmp_path / "dst" / "link") == "/etc/shadow" and (tmp_path / "dst" / "d" / "f").read_text() == "x"


@pytest.mark.skipif(not ROOT, reason="size-limited workspaces need root (a loop mount)")
def test_a_workspace_of_a_killed_driver_is_archived_by_the_next_one(tmp_path):
    script = textwrap.dedent(f"""
        from mlgym_nb.tasks import load_task
        from mlgym_nb.workspace import Workspace
        ws = Workspace.create(load_task("prisoners_dilemma"), {str(tmp_path / 'k.workspace')!r})
        (ws.path / "work.txt").write_text("done")
        print(ws.path, flush=True)
        import time; time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    live = proc.stdout.readline().strip()
    proc.kill()
    proc.wait()
    assert os.path.ismount(live)
    from mlgym_nb.workspace import reap_workspaces

    assert live in reap_workspaces()
    assert not os.path.exists(live) and (tmp_path / "k.workspace" / "work.txt").read_text() == "done"


@pytest.mark.docker
@pytest.mark.skipif(not ROOT, reason="size-limited workspaces need root (a loop mount)")
def test_a_cell_that_fills_the_disk_gets_enospc_and_the_episode_goes_on(tmp_path, no_leftover_containers):
    task = load_task("prisoners_dilemma")
    small = task.model_copy(update={"resources": ResourcesSpec(**{**task.resources.model_dump(), "disk": "64m"})})
    with mlgym_nb.make(small, sandbox="docker", episode=tmp_path / "d.ipynb") as env:
        env.reset(seed=0)
        obs, _r, _t, _tr, info = env.step(
            "with open('big.bin', 'wb') as f:\n    for _ in range(200):\n        f.write(b'x' * (1 << 20))")
        assert info["status"] == "error" and "No space left on device" in obs
        obs, _r, _t, _tr, info = env.step(
            "import os\nos.remove('big.bin')\ns = os.statvfs('.')\nprint(s.f_blocks * s.f_frsize)")
        assert info["status"] == "ok" and int(obs.split()[0]) <= 64 << 20
        obs, *_ = env.step("%validate")
        assert obs.startswith("dev score")
