"""The shipped notebooks run top to bottom under papermill (in the user's Python kernel)."""

import subprocess
import sys

import nbformat
import pytest

pytestmark = pytest.mark.docker


def test_step_agent_notebook(tmp_path, no_leftover_containers):
    out = tmp_path / "out.ipynb"
    proc = subprocess.run([sys.executable, "-m", "papermill", "notebooks/step_agent.ipynb", str(out), "-p", "sandbox",
                           "docker", "--cwd", str(tmp_path), "--no-progress-bar", "-k", "python3"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    cells = {c.get("id"): c for c in nbformat.read(out, as_version=4).cells}
    assert "test score = 2.5106" in "".join(o.get("text", "") for o in cells["agent-steps"].outputs)
    episode = next((tmp_path / "episodes").glob("prisoners_dilemma-stepped-s0.ipynb"))
    assert nbformat.read(episode, as_version=4).metadata.mlgym["exit"] == "submitted"
