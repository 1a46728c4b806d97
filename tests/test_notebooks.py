"""Every notebook in notebooks/ runs top to bottom under papermill, headless, on the embedded defaults."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def papermill(notebook, out, cwd, *params, timeout=900):
    args = [x for name, value in params for x in ("-p", name, str(value))]
    proc = subprocess.run([sys.executable, "-m", "papermill", str(NOTEBOOKS / notebook), str(out), *args,
                           "--cwd", str(cwd), "--no-progress-bar", "-k", "python3"],
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return nbformat.read(out, as_version=4)


def text(nb):
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.docker
def test_step_agent_notebook_on_the_embedded_model(tmp_path, local_model, no_leftover_containers):
    nb = papermill("step_agent.ipynb", tmp_path / "out.ipynb", tmp_path, ("sandbox", "docker"),
                   ("episodes", tmp_path / "eps"), ("steps", 2))
    assert "episode notebook:" in text(nb)
    episode = nbformat.read(tmp_path / "eps" / "prisoners_dilemma-stepped-s0.ipynb", as_version=4)
    assert episode.metadata.mlgym["exit"] == "submitted" and episode.metadata.mlgym["agent"]["name"] == "llm"
    assert episode.metadata.mlgym["steps"] >= 3  # two agent steps, a person's cell, then the scores
    widget = next(c for c in nb.cells if "display(ui.widget)" in c.source)
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in widget.outputs)


def test_analysis_notebook_on_a_folder_of_episodes(tmp_path):
    sys.path.insert(0, str(Path(__file__).parent / "analysis"))
    try:
        from test_load import episode
    finally:
        sys.path.pop(0)
    episode(tmp_path / "sweep" / "a" / "s0.ipynb", "a", 0, [(2, "validate", 2.5, 2.6), (4, "submit", 2.4, 2.45)])
    episode(tmp_path / "sweep" / "b" / "s0.ipynb", "b", 0, [(3, "autosubmit", 2.0, 2.1)], exit="max_steps")
    nb = papermill("analysis.ipynb", tmp_path / "report.ipynb", tmp_path, ("sweep_dir", tmp_path / "sweep"),
                   ("n_boot", 50), timeout=300)
    assert "2 episodes of 1 tasks by 2 agents" in text(nb)
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 3


def test_every_notebook_has_a_test():
    tested = {"step_agent.ipynb", "analysis.ipynb"} | {p.name for p in (NOTEBOOKS / "course").glob("*.ipynb")}
    assert {p.name for p in NOTEBOOKS.rglob("*.ipynb")} <= tested
