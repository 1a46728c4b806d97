"""The container layout is defined once: the image and the sandboxes agree with sandbox/layout.py."""

import re
from pathlib import Path

from mlgym_nb.sandbox import layout
from mlgym_nb.sandbox.base import Mount, Sandbox

DOCKERFILE = (Path(__file__).resolve().parents[2] / "kernels" / "Dockerfile").read_text()


def test_the_image_creates_every_mount_point():
    made = {path for paths in re.findall(r"mkdir -p ([^\\&]+)", DOCKERFILE) for path in paths.split()}
    for path in (layout.WORKSPACE, layout.DATA, layout.CONN, layout.SUBMISSION, layout.COMMON, layout.STARTER,
                 layout.HIDDEN, layout.GRADER):
        assert path in made
    assert f"chmod 0700 {layout.SECRET}" in DOCKERFILE
    assert f"--uid {layout.KERNEL_UID}" in DOCKERFILE
    assert layout.HIDDEN.startswith(layout.SECRET + "/") and layout.GRADER.startswith(layout.SECRET + "/")


def test_grader_command_line():
    argv = layout.grader_argv("evaluate.py", "dev")
    assert argv[:4] == ["python", "-s", "-P", f"{layout.GRADER}/evaluate.py"]
    assert argv[4:] == ["--split", "dev", "--submission", layout.SUBMISSION, "--hidden", layout.HIDDEN]


class _Unmapped(Sandbox):
    maps_paths = False

    def start(self, argv, mounts): ...
    def poll(self): ...
    def send_signal(self, signum): ...
    def close(self): ...
    def death_reason(self): ...
    def run(self, argv, mounts, timeout, scorer=False): ...


def test_paths_inside_a_sandbox_without_mounts_are_the_host_paths():
    from mlgym_nb.tasks import ResourcesSpec

    box = _Unmapped(ResourcesSpec(), "base", "t")
    mounts = [Mount(Path("/host/sub"), layout.SUBMISSION), Mount(Path("/host/hidden"), layout.HIDDEN)]
    assert box.inside(f"{layout.SUBMISSION}/strategy.py", mounts) == "/host/sub/strategy.py"
    assert box.inside(layout.HIDDEN, mounts) == "/host/hidden"
    assert box.inside("/submissions-other", mounts) == "/submissions-other"
