"""The embedded model's files: hf: specs resolved offline from a pre-populated Hugging Face cache."""

import shutil
import subprocess
import sys

import pytest

REVISION = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def hf_cache(tmp_path, monkeypatch):
    """A Hugging Face cache holding the shipped GGUF as someone/smol/smol.gguf at REVISION (no network)."""
    pytest.importorskip("huggingface_hub")
    from mlgym_nb.agents.local_server import LocalModelError, default_model_file

    try:
        source = default_model_file()
    except LocalModelError as exc:
        pytest.skip(str(exc))
    repo = tmp_path / "hub" / "models--someone--smol"
    (repo / "blobs").mkdir(parents=True)
    shutil.copy(source, repo / "blobs" / "b179c952")
    (repo / "snapshots" / REVISION).mkdir(parents=True)
    (repo / "snapshots" / REVISION / "smol.gguf").symlink_to("../../blobs/b179c952")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(REVISION)
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return source


def test_hf_specs_resolve_from_the_cache_pinned_by_revision(hf_cache):
    from mlgym_nb.agents.local_server import LocalModelError, resolve_model_file

    pinned = resolve_model_file(f"hf:someone/smol/smol.gguf@{REVISION}")
    assert pinned.read_bytes()[:4] == b"GGUF" and pinned.stat().st_size == hf_cache.stat().st_size
    assert resolve_model_file("hf:someone/smol/smol.gguf") == pinned  # refs/main names the same revision
    with pytest.raises(LocalModelError, match="not in the Hugging Face cache and not downloadable here"):
        resolve_model_file("hf:someone/smol/other.gguf")
    with pytest.raises(LocalModelError, match="expected hf:OWNER/REPO/FILE.gguf"):
        resolve_model_file("hf:smol.gguf")


@pytest.mark.docker
def test_run_serves_an_hf_model(hf_cache, tmp_path, local_model):
    proc = subprocess.run([sys.executable, "-m", "mlgym_nb.cli", "run", "--task", "prisoners_dilemma", "--model",
                           f"hf:someone/smol/smol.gguf@{REVISION}", "--max-steps", "1", "--sandbox", "docker",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[run] local model smol.gguf serving at http://127.0.0.1:" in proc.stdout


@pytest.mark.model
def test_the_server_goes_when_its_parent_is_killed(local_model):
    import os
    import signal
    import time

    # The parent prints its server's pid and sleeps; SIGKILL gives it no chance to stop the server.
    code = ("from mlgym_nb.agents.local_server import LocalModelServer\nimport time\n"
            "s = LocalModelServer(threads=1).start()\nprint(s.process.pid, flush=True)\ntime.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    server = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and os.path.exists(f"/proc/{server}") and \
            open(f"/proc/{server}/stat").read().split()[2] != "Z":
        time.sleep(0.2)
    assert not os.path.exists(f"/proc/{server}") or open(f"/proc/{server}/stat").read().split()[2] == "Z"
