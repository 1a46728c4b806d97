"""JupyterLab in a real browser: an episode notebook and the stepping notebook, opened in Debian's Chromium.

JupyterLab runs headless on 127.0.0.1 with its own settings and workspace folders; Playwright drives
Chromium. Each test saves a screenshot (MLGYM_UPDATE_SCREENSHOTS=1 copies them to docs/screenshots/),
checks it is not blank, and checks the server logged no 5xx while the notebook opened.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import numpy as np
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "docs" / "screenshots"
TOKEN = "mlgym-test"
SERVER_ERROR = re.compile(r"\] 5\d\d (GET|POST|PUT|PATCH|DELETE) ")


def _missing() -> str | None:
    if not shutil.which("chromium"):
        return "Chromium is missing: run `make setup` (Debian's chromium package)"
    for module in ("playwright", "jupyterlab", "ipywidgets"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is missing: run `make setup`"
    return None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a fresh folder; yields (base url, folder, log file)."""
    problem = _missing()
    if problem:
        if os.environ.get("MLGYM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"MLGYM_REQUIRE_BROWSER=1 but {problem}")
        pytest.skip(problem)
    home = tmp_path_factory.mktemp("lab")
    folder, settings = home / "root", home / "settings" / "@jupyterlab" / "apputils-extension"
    folder.mkdir()
    settings.mkdir(parents=True)
    # No news prompt over the screenshots.
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = home / "server.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={folder}",
         f"--LabApp.user_settings_dir={home / 'settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}"],
        stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/api", timeout=1)
                break
            except OSError:
                assert server.poll() is None, log.read_text()[-2000:]
                time.sleep(0.2)
        yield url, folder, log
    finally:
        try:
            urllib.request.urlopen(urllib.request.Request(
                f"{url}/api/shutdown", method="POST", headers={"Authorization": f"token {TOKEN}"}), timeout=10)
            server.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def open_notebook(browser, lab, name):
    url, _, _ = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)
    # A workspace of its own, reset: the default one would reopen an earlier test's notebook beside this one,
    # and Run All Cells could then run that one if its tab ends up in front.
    page.goto(f"{url}/lab/workspaces/{Path(name).stem}/tree/{name}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    return page


def start_session(lab, name):
    """Start the notebook's kernel through the server's REST API, as reopening a running notebook would."""
    url, _, _ = lab
    body = json.dumps({"path": name, "name": name, "type": "notebook", "kernel": {"name": "python3"}}).encode()
    request = urllib.request.Request(f"{url}/api/sessions", data=body, method="POST",
                                     headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        assert reply.status == 201, reply.status


def run_all_cells(page):
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def server_errors(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if SERVER_ERROR.search(line)]


def screenshot(page, name, tmp_path) -> Path:
    """Save a screenshot and check it shows something: many colours, few pixels of the background."""
    import matplotlib.image

    path = tmp_path / name
    page.screenshot(path=str(path))
    pixels = (matplotlib.image.imread(path)[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    assert len(colours) > 50 and counts.max() / len(pixels) < 0.9, f"{name} looks blank"
    if os.environ.get("MLGYM_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SCREENSHOTS / name)
    return path


def test_an_episode_notebook_opens_in_jupyterlab(lab, browser, tmp_path):
    _, folder, log = lab
    run = subprocess.run(["mlgym-nb", "run", "--task", "prisoners_dilemma", "--agent", "replay", "--sandbox", "none",
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    shutil.copy(next(tmp_path.glob("*.ipynb")), folder / "episode.ipynb")
    cells = nbformat.read(folder / "episode.ipynb", as_version=4).cells
    page = open_notebook(browser, lab, "episode.ipynb")
    page.get_by_text("%submit").first.wait_for()
    assert page.locator(".jp-Notebook .jp-Cell").count() == len(cells)
    page.locator(".jp-RenderedMarkdown strong", has_text="Ended:").wait_for()  # the header, rendered
    screenshot(page, "episode.png", tmp_path)
    page.close()
    assert server_errors(log) == []


def test_the_stepping_notebook_steps_an_agent_from_the_browser(lab, browser, tmp_path):
    """Run the stepping notebook's set-up and controller in the browser, press Step, then type a cell of one's own."""
    _, folder, log = lab
    episodes = folder / "episodes"
    prepared = subprocess.run(
        [sys.executable, "-m", "papermill", str(ROOT / "notebooks" / "step_agent.ipynb"), str(folder / "step.ipynb"),
         "--prepare-only", "-k", "python3", "-p", "agent", "replay", "-p", "sandbox", "none",
         "-p", "episodes", str(episodes)], capture_output=True, text=True, timeout=120)
    assert prepared.returncode == 0, prepared.stderr[-2000:]
    nb = nbformat.read(folder / "step.ipynb", as_version=4)
    controller = next(i for i, cell in enumerate(nb.cells) if "StepperUI(stepper)" in cell.source)
    nb.cells = nb.cells[:controller + 1]  # the plain-Python path below would step on its own
    nbformat.write(nb, folder / "step.ipynb")

    start_session(lab, "step.ipynb")  # so JupyterLab attaches to a running kernel instead of asking which
    page = open_notebook(browser, lab, "step.ipynb")
    page.locator(".jp-StatusBar-Widget", has_text="| Idle").wait_for()  # the kernel is up
    run_all_cells(page)
    status = page.locator(".widget-html b", has_text="step ")
    pick_kernel = page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
    page.wait_for_selector(".widget-html b, .jp-Dialog")
    if pick_kernel.count():  # it asked anyway: the kernel starts, but the run it interrupted is lost
        pick_kernel.click()
        page.locator(".jp-StatusBar-Widget", has_text="| Idle").wait_for()
        run_all_cells(page)
    try:
        status.wait_for()
    except Exception as error:
        errors = page.locator("[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
        raise AssertionError(f"the stepper never showed; the notebook's error outputs: {errors}") from error
    assert status.inner_text().startswith("step 0/")
    proposal = page.locator(".widget-textarea textarea").input_value()
    assert proposal.strip(), "the agent's first proposal is shown for editing"

    page.get_by_role("button", name="Step", exact=True).click()
    page.locator(".widget-html b", has_text="step 1/").wait_for()
    page.locator(".widget-textarea textarea").fill("print('typed in the browser')")
    page.get_by_role("button", name="Step", exact=True).click()
    page.locator(".widget-html b", has_text="step 2/").wait_for()
    page.get_by_text("typed in the browser").last.wait_for()
    page.get_by_role("button", name="Step", exact=True).scroll_into_view_if_needed()
    screenshot(page, "stepping.png", tmp_path)
    page.close()

    episode = nbformat.read(episodes / "prisoners_dilemma-stepped-s0.ipynb", as_version=4)
    steps = [c for c in episode.cells if c.cell_type == "code" and "step" in c.metadata.get("mlgym", {})]
    assert [c.source for c in steps] == [proposal, "print('typed in the browser')"]
    assert [c.metadata.mlgym.get("agent", {}).get("edited", False) for c in steps] == [False, True]
    assert server_errors(log) == []


def test_the_committed_screenshots_are_not_blank(tmp_path):
    import matplotlib.image

    for name in ("episode.png", "stepping.png"):
        pixels = matplotlib.image.imread(SCREENSHOTS / name)[..., :3].reshape(-1, 3)
        assert len(np.unique(pixels, axis=0)) > 50, f"docs/screenshots/{name} looks blank"
