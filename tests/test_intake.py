"""Submission intake on real files: what is copied, and every rule that refuses a file (no Docker needed)."""

import os
import socket
import stat

import pytest

from mlgym_nb.intake import SubmissionRefused, take_submission

CAP = 1 << 20


@pytest.fixture
def ws(tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "strategy.py").write_text("def row_strategy(h):\n    return 0\n")
    secret = tmp_path / "hidden.json"
    secret.write_text('{"seed": 1234}')
    return workspace, secret


def take(workspace, names, tmp_path, cap=CAP):
    return take_submission(workspace, names, tmp_path / "out", cap)


def test_copies_declared_files_and_folders_as_regular_files(ws, tmp_path):
    workspace, _ = ws
    (workspace / "ckpt" / "sub").mkdir(parents=True)
    (workspace / "ckpt" / "sub" / "w.bin").write_bytes(b"\x00" * 10)
    (workspace / "notes.txt").write_text("not declared")
    intake = take(workspace, ["strategy.py", "ckpt/", "absent.csv"], tmp_path)
    assert sorted(intake.files) == ["ckpt/sub/w.bin", "strategy.py"] and intake.missing == ["absent.csv"]
    copied = tmp_path / "out" / "strategy.py"
    assert copied.read_text().startswith("def row_strategy") and stat.S_IMODE(copied.stat().st_mode) == 0o644
    assert not (tmp_path / "out" / "notes.txt").exists()
    assert intake.size == len(copied.read_bytes()) + 10


def test_a_symlink_to_hidden_data_is_refused(ws, tmp_path):
    workspace, secret = ws
    (workspace / "strategy.py").unlink()
    (workspace / "strategy.py").symlink_to(secret)
    assert (workspace / "strategy.py").read_text() == secret.read_text()  # positive control: following it leaks
    with pytest.raises(SubmissionRefused, match="strategy.py is a symbolic link; submissions must be regular files"):
        take(workspace, ["strategy.py"], tmp_path)
    assert not (tmp_path / "out" / "strategy.py").exists()


def test_a_symlinked_parent_folder_is_refused(ws, tmp_path):
    workspace, secret = ws
    (workspace / "ckpt").symlink_to(secret.parent)
    assert (workspace / "ckpt" / "hidden.json").exists()  # positive control: the path resolves to the secret
    with pytest.raises(SubmissionRefused, match="ckpt is a symbolic link; expected a folder"):
        take(workspace, ["ckpt/hidden.json"], tmp_path)
    with pytest.raises(SubmissionRefused, match="ckpt is a symbolic link; expected a folder"):
        take(workspace, ["ckpt/"], tmp_path)


def test_a_symlink_inside_a_declared_folder_is_refused(ws, tmp_path):
    workspace, secret = ws
    (workspace / "ckpt").mkdir()
    (workspace / "ckpt" / "w.bin").symlink_to(secret)
    with pytest.raises(SubmissionRefused, match="ckpt/w.bin is a symbolic link"):
        take(workspace, ["ckpt/"], tmp_path)


def test_a_hard_link_is_refused(ws, tmp_path):
    workspace, secret = ws
    (workspace / "strategy.py").unlink()
    os.link(secret, workspace / "strategy.py")
    with pytest.raises(SubmissionRefused, match="strategy.py has 2 hard links"):
        take(workspace, ["strategy.py"], tmp_path)


def test_fifo_socket_and_device_are_refused_without_blocking(ws, tmp_path):
    workspace, _ = ws
    (workspace / "strategy.py").unlink()
    os.mkfifo(workspace / "strategy.py")  # opening a FIFO for reading would block forever
    with pytest.raises(SubmissionRefused, match="strategy.py is a FIFO"):
        take(workspace, ["strategy.py"], tmp_path)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(workspace / "sock.csv"))
    with pytest.raises(SubmissionRefused, match="sock.csv is a socket"):
        take(workspace, ["sock.csv"], tmp_path)
    server.close()
    if os.geteuid() == 0:
        os.mknod(workspace / "dev.csv", stat.S_IFCHR | 0o666, os.makedev(1, 3))  # like /dev/null
        with pytest.raises(SubmissionRefused, match="dev.csv is a character device"):
            take(workspace, ["dev.csv"], tmp_path)


def test_size_cap_and_folders_in_place_of_files(ws, tmp_path):
    workspace, _ = ws
    (workspace / "big.csv").write_bytes(b"x" * (CAP + 1))
    with pytest.raises(SubmissionRefused, match=f"big.csv makes the submission larger than its cap of {CAP} bytes"):
        take(workspace, ["big.csv"], tmp_path)
    (workspace / "a.csv").write_bytes(b"x" * (CAP // 2 + 1))
    (workspace / "b.csv").write_bytes(b"x" * (CAP // 2 + 1))
    with pytest.raises(SubmissionRefused, match="b.csv makes the submission larger"):  # the cap is on the total
        take(workspace, ["a.csv", "b.csv"], tmp_path)
    (workspace / "dir.py").mkdir()
    with pytest.raises(SubmissionRefused, match="dir.py is a folder; submissions must be regular files"):
        take(workspace, ["dir.py"], tmp_path)


@pytest.mark.parametrize("name", ["../escape.py", "/etc/passwd", "a/../../b", "./x"])
def test_paths_that_leave_the_workspace_are_refused(ws, tmp_path, name):
    workspace, _ = ws
    with pytest.raises(SubmissionRefused, match="leaves the workspace"):
        take(workspace, [name], tmp_path)
