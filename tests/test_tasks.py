import shutil

import pytest

from mlgym_nb.errors import TaskError
from mlgym_nb.tasks import list_tasks, load_task, load_task_file


def test_lists_and_loads_the_shipped_task():
    assert "prisoners_dilemma" in list_tasks()
    task = load_task("prisoners_dilemma")
    assert task.metric.direction == "maximize"
    assert task.kernel_name == "mlgym-prisoners_dilemma"
    assert task.resources.memory_bytes == 1 << 30
    assert task.reference_cells()[-1] == "%submit"


def test_unknown_task_suggests_the_closest():
    with pytest.raises(TaskError, match="did you mean 'prisoners_dilemma'"):
        load_task("prisoner_dilemma")


@pytest.fixture
def task_copy(tmp_path):
    src = load_task("prisoners_dilemma").root
    dst = tmp_path / "prisoners_dilemma"
    shutil.copytree(src, dst)
    return dst / "task.yaml"


def _edit(path, old, new):
    path.write_text(path.read_text().replace(old, new))


def test_misspelt_field_names_file_field_and_fix(task_copy):
    _edit(task_copy, "max_steps:", "max_step:")
    with pytest.raises(TaskError) as err:
        load_task_file(task_copy)
    assert str(task_copy) in str(err.value)
    assert "field 'limits.max_step': Extra inputs are not permitted; did you mean 'max_steps'?" in str(err.value)


def test_wrong_type_and_value(task_copy):
    _edit(task_copy, "cell_timeout: 120", "cell_timeout: soon")
    _edit(task_copy, "memory: 1g", "memory: lots")
    with pytest.raises(TaskError) as err:
        load_task_file(task_copy)
    text = str(err.value)
    assert "field 'limits.cell_timeout'" in text and "(got 'soon')" in text
    assert "field 'resources.memory': Value error, expected a size like 512m or 2g, got 'lots'" in text


def test_direction_must_be_known(task_copy):
    _edit(task_copy, "direction: maximize", "direction: up")
    with pytest.raises(TaskError, match="field 'metric.direction'"):
        load_task_file(task_copy)


def test_missing_file_and_id_mismatch(task_copy):
    (task_copy.parent / "grader" / "evaluate.py").unlink()
    with pytest.raises(TaskError, match="'grader.script' names 'grader/evaluate.py', which does not exist"):
        load_task_file(task_copy)
    shutil.copy(load_task("prisoners_dilemma").root / "grader" / "evaluate.py", task_copy.parent / "grader")
    _edit(task_copy, "id: prisoners_dilemma", "id: other")
    with pytest.raises(TaskError, match="field 'id' is 'other' but the folder is 'prisoners_dilemma'"):
        load_task_file(task_copy)


def test_broken_yaml(task_copy):
    task_copy.write_text("id: [unclosed\n")
    with pytest.raises(TaskError, match="not valid YAML"):
        load_task_file(task_copy)
