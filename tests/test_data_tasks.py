"""Tasks with external data: `data status` and `data fetch` (from a copy, from a source that cannot be
reached), the one-line error when data is missing, stand-in data and its marked scores, the graders."""

import os
import shutil
import subprocess
import sys

import pytest

from mlgym_nb.datasets import STAND_IN, data_dir, write_stand_in
from mlgym_nb.tasks import list_tasks, load_task

DATA_TASKS = [t for t in list_tasks() if load_task(t).data is not None]


def cli(*args, data, **env):
    return subprocess.run([sys.executable, "-m", "mlgym_nb.cli", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MLGYM_DATA": str(data), **env})


def test_status_says_where_each_task_looks_and_how_to_fetch(tmp_path):
    proc = cli("data", "status", data=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"data folders: {tmp_path} (set MLGYM_DATA to move them)"
    assert any(line.split()[:2] == ["house_price", "shipped"] for line in lines)
    for task_id in DATA_TASKS:
        assert any(line.split()[:2] == [task_id, "missing"] for line in lines), proc.stdout
        assert f"{tmp_path / task_id} lacks" in proc.stdout and f"`mlgym-nb data fetch {task_id}`" in proc.stdout


@pytest.mark.parametrize("task_id", DATA_TASKS)
def test_missing_data_is_one_line_naming_the_files_the_folder_and_the_command(task_id, tmp_path):
    proc = cli("tasks", "check", task_id, data=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    line, = proc.stderr.strip().splitlines()
    task = load_task(task_id)
    assert line.startswith(f"mlgym-nb: error: task {task_id} needs data from ")
    assert f"{tmp_path / task_id} lacks {', '.join(task.data.files)}" in line
    assert f"`mlgym-nb data fetch {task_id}`" in line and f"`mlgym-nb data fetch {task_id} --from PATH`" in line


@pytest.mark.parametrize("kind", ["folder", "zip", "gztar"])
def test_fetch_from_a_copy(kind, tmp_path):
    task = load_task(DATA_TASKS[0])
    copy = write_stand_in(task, tmp_path / "download" / "inner")  # archives often hold one top folder
    source = copy if kind == "folder" else shutil.make_archive(str(tmp_path / "copy"), kind, tmp_path / "download")
    proc = cli("data", "fetch", task.id, "--from", str(source), data=tmp_path / "data")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"[data] {task.id}: ready in {tmp_path / 'data' / task.id}"
    def contents(folder):
        return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    assert contents(tmp_path / "data" / task.id) == contents(copy)
    status = cli("data", "status", task.id, data=tmp_path / "data")
    assert status.stdout.splitlines()[1].split()[:2] == [task.id, "stand-in"]  # the marker came along


def test_a_failed_fetch_loses_nothing(tmp_path):
    task = load_task(DATA_TASKS[0])
    data = tmp_path / "data"
    before = write_stand_in(task, data / task.id)
    kept = {p: p.read_bytes() for p in before.rglob("*") if p.is_file()}
    (tmp_path / "wrong").mkdir()
    (tmp_path / "wrong" / "notes.txt").write_text("not the data")
    proc = cli("data", "fetch", task.id, "--from", str(tmp_path / "wrong"), data=data)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"lacks {', '.join(task.data.files)} of task {task.id} (it holds notes.txt)" in proc.stderr
    assert {p: p.read_bytes() for p in before.rglob("*") if p.is_file()} == kept
    assert sorted(p.name for p in data.iterdir()) == [task.id]  # no half-fetched folder left beside it
    proc = cli("data", "fetch", task.id, "--from", str(tmp_path / "nowhere"), data=data)
    assert proc.returncode == 1 and f"{tmp_path / 'nowhere'} does not exist" in proc.stderr


def test_an_archive_that_writes_outside_its_folder_is_refused(tmp_path):
    import io
    import tarfile

    task = load_task(DATA_TASKS[0])
    archive = tmp_path / "hostile.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        payload = b"escaped"
        member = tarfile.TarInfo("../escaped.txt")
        member.size = len(payload)
        tar.addfile(member, io.BytesIO(payload))
    proc = cli("data", "fetch", task.id, "--from", str(archive), data=tmp_path / "data")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith(f"mlgym-nb: error: cannot unpack {archive}")
    assert not any(tmp_path.rglob("escaped.txt")) and os.listdir(tmp_path / "data") == []


def test_an_unreachable_source_is_a_clear_error(tmp_path):
    # A task fetched from the Hugging Face Hub, offline: the real client is called and its failure explained.
    folder = tmp_path / "tasks" / "hub_task"
    shutil.copytree(load_task("house_price").root, folder)
    spec = (folder / "task.yaml").read_text().replace("id: house_price", "id: hub_task")
    (folder / "standin.py").write_text("import sys, pathlib\npathlib.Path(sys.argv[1], 'a.csv').write_text('x')\n")
    (folder / "task.yaml").write_text(spec + "data:\n  source: huggingface\n  name: stanfordnlp/imdb\n"
                                             "  files: [plain_text/]\n  licence: unknown\n")
    proc = cli("--tasks-dir", str(tmp_path / "tasks"), "data", "fetch", "hub_task", data=tmp_path / "data",
               HF_HUB_OFFLINE="1")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("mlgym-nb: error: could not fetch the Hugging Face dataset stanfordnlp/imdb (")
    assert "fetch there and copy the folder here with --from PATH" in proc.stderr
    assert not (tmp_path / "data" / "hub_task").exists() and os.listdir(tmp_path / "data") == []


def test_a_broken_data_section_is_refused(tmp_path):
    folder = tmp_path / "tasks" / "bad_data"
    shutil.copytree(load_task("house_price").root, folder)
    spec = (folder / "task.yaml").read_text().replace("id: house_price", "id: bad_data")
    (folder / "task.yaml").write_text(spec + "data:\n  source: kaggle\n  name: x\n  files: [../secret.csv]\n"
                                             "  licence: x\n")
    proc = cli("--tasks-dir", str(tmp_path / "tasks"), "tasks", data=tmp_path)
    assert proc.returncode == 1
    assert "bad_data/task.yaml: invalid task spec" in proc.stderr
    assert "'../secret.csv' must be a relative path inside the data folder" in proc.stderr


# -- on stand-in data, in real containers --------------------------------------------------------------------

@pytest.mark.docker
def test_stand_in_scores_are_marked(stand_in, submit):
    import csv

    from mlgym_nb.grading import summary
    from mlgym_nb.workspace import prepared_data

    task = stand_in("spaceship_titanic")
    public, hidden = prepared_data(task)
    assert (hidden.parent / STAND_IN).is_file() and hidden.parent.name.startswith("spaceship_titanic.stand-in-")
    with open(hidden / "dev_labels.csv") as f:
        truth = [row["Transported"] == "True" for row in csv.DictReader(f)]
    ids = [row["PassengerId"] for name in ("dev", "test") for row in csv.DictReader(open(public / f"{name}.csv"))]
    score = submit("spaceship_titanic", {"submission.csv": "PassengerId,Transported\n"
                                         + "".join(f"{i},False\n" for i in ids)})
    assert score.status == "scored" and score.stand_in
    assert score.value == round(truth.count(False) / len(truth), 5)  # all False scores the share of False
    assert summary(score, task).endswith("[stand-in data: not a real score]")


@pytest.mark.docker
@pytest.mark.parametrize("text,message", [
    ("PassengerId,Transported\n0001_01,maybe\n", "the Transported of PassengerId 0001_01 is 'maybe': predictions "
                                                 "are True or False"),
    ("PassengerId,Transported\n0001_01,True\n", "lacks predictions for"),
    ("Id,Label\n1,True\n", "must have the columns PassengerId and Transported"),
], ids=["maybe", "missing-ids", "columns"])
def test_garbage_predictions_are_invalid_with_the_cause(stand_in, submit, text, message):
    stand_in("spaceship_titanic")
    score = submit("spaceship_titanic", {"submission.csv": text})
    assert score.status == "invalid" and message in score.message, score


def _contents(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("task_id", DATA_TASKS)
def test_a_stand_in_is_the_same_bytes_every_time(task_id, tmp_path):
    # Preparations are shared by content: a stand-in that differed run to run would be re-prepared apart each time.
    task = load_task(task_id)
    assert _contents(write_stand_in(task, tmp_path / "a")) == _contents(write_stand_in(task, tmp_path / "b"))


def test_stand_ins_written_apart_share_one_preparation(tmp_path, monkeypatch):
    from mlgym_nb.workspace import prepared_data

    task = load_task("spaceship_titanic")
    prepared = []
    for name in ("first", "second"):
        monkeypatch.setenv("MLGYM_DATA", str(tmp_path / name))
        write_stand_in(task, data_dir(task))
        prepared.append(prepared_data(task))
    assert prepared[0] == prepared[1] and prepared[0][1].parent.name.startswith("spaceship_titanic.stand-in-")
