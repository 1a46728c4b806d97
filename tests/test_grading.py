"""The grader against a hostile workspace and hostile submitted code, in real grader containers.

Every attack ends ``invalid`` or with an honest score, and each has a positive control showing
that the probe is real: the same attack, given what the old design gave it (the scorer's process,
the scorer's rights, links followed), does reach the secret or the scoring state.
"""

import json
import os
import sys
import textwrap
from pathlib import Path

import pytest

from mlgym_nb.grading import _mounts, grade, grade_splits
from mlgym_nb.sandbox import make_sandbox
from mlgym_nb.tasks import load_task
from mlgym_nb.workspace import Workspace, prepared_data

pytestmark = pytest.mark.docker
COMMON = Path(__file__).resolve().parents[1] / "tasks" / "_common"


def as_scorer(task_id, code, tmp_path):
    """Run ``code`` as the grader's scorer (root, the scorer's capabilities, the grader's mounts)."""
    task = load_task(task_id)
    _public, hidden = prepared_data(task)
    submission = tmp_path / "submission"
    submission.mkdir(exist_ok=True)
    (tmp_path / "starter").mkdir(exist_ok=True)  # as grade_splits lays them out: the starter beside the submission
    task.copy_starter(tmp_path / "starter")
    box = make_sandbox("docker", task.resources, task.family, "test-scorer")
    mounts = _mounts(task, submission, hidden)
    return box.run(["python", "-c", textwrap.dedent(code)], mounts, timeout=120, scorer=True)


def honest(submit, task_id, files):
    score = submit(task_id, files)
    assert score.status == "scored", score.message
    return score.value


ALWAYS_DEFECT = "def row_strategy(history):\n    return 1\n"

# -- the workspace is hostile: links and special files in place of submissions ------------------------------


@pytest.mark.parametrize("task_id", ["prisoners_dilemma", "sat3_heuristic", "vectorization", "house_price"])
def test_a_link_to_hidden_data_is_invalid_in_every_family(task_id, tmp_path, no_leftover_containers):
    task = load_task(task_id)
    _public, hidden = prepared_data(task)
    secret = next(p for p in sorted(hidden.rglob("*")) if p.is_file())
    ws = Workspace.create(task)
    try:
        target = ws.path / task.grader.submission[0]
        target.unlink(missing_ok=True)
        target.symlink_to(secret)
        assert target.read_bytes() == secret.read_bytes()  # positive control: reading the path leaks the secret
        score = grade(task, ws.path, "dev", "docker")
        assert score.status == "invalid" and "is a symbolic link" in score.message
        os.unlink(target)
        os.mkfifo(target)
        score = grade(task, ws.path, "dev", "docker")
        assert score.status == "invalid" and "is a FIFO" in score.message
    finally:
        ws.discard()


# -- submitted code cannot read the grader's side ------------------------------------------------------------

READ_SECRETS = """
    import os, signal
    def _probe():
        found = []
        for path in ["/secret/hidden/splits.json", "/secret/grader/opponents.py", "/secret", "/proc/1/environ"]:
            try:
                os.listdir(path) if path == "/secret" else open(path).read()
                found.append(path)
            except OSError:
                pass
        for pid in (1, os.getppid()):
            try:
                os.kill(pid, signal.SIGSTOP)
                found.append(pid)
            except OSError:
                pass
        return found
    LEAKED = _probe()
    def row_strategy(history):
        return 1 if LEAKED else 0   # always defect if anything leaked, else always cooperate
"""


def test_submitted_code_cannot_read_secrets_or_signal_the_scorer(submit, tmp_path):
    control = as_scorer("prisoners_dilemma", textwrap.dedent(READ_SECRETS) + "\nprint(LEAKED)", tmp_path)
    assert "/secret/hidden/splits.json" in control.stdout and "/secret/grader/opponents.py" in control.stdout
    cooperate = honest(submit, "prisoners_dilemma", {"strategy.py": "def row_strategy(h):\n    return 0\n"})
    assert honest(submit, "prisoners_dilemma", {"strategy.py": READ_SECRETS}) == cooperate


# -- submitted code cannot rewrite scoring state ---------------------------------------------------------------

REWRITE_STATE = """
    import gc, sys
    DONE = []
    def row_strategy(history):
        for obj in [] if DONE else gc.get_objects():  # the payoffs and the opponents, if they are in this process
            if isinstance(obj, dict) and obj.get((1, 0)) == 5:
                obj.update({(1, 0): 100, (1, 1): 100})
            if isinstance(obj, dict) and "tit_for_tat" in obj:
                for name in list(obj):
                    obj[name] = lambda history, rng: 0
        DONE.append(1)
        frame = sys._getframe()
        while frame is not None:       # and the scorer's running total, if it is a caller
            if "total" in frame.f_locals:
                frame.f_locals["total"] = 10**9
            frame = frame.f_back
        return 1
"""


def _in_process_tournament(strategy_source, tmp_path):
    """The old design: the scorer imports the strategy and calls it in its own process."""
    sys.path[:0] = [str(COMMON), str(load_task("prisoners_dilemma").root / "grader")]
    try:
        import evaluate
        import games
        import opponents
        from evaluate import PAYOFF  # noqa: F401 - the module holds the table the attack looks for

        namespace = {}
        exec(textwrap.dedent(strategy_source), namespace)

        class InProcess:
            def map(self, function, batch, timeout):
                return [namespace[function](*args) for args in batch]

        _public, hidden = prepared_data(load_task("prisoners_dilemma"))
        split = json.loads((hidden / "splits.json").read_text())["dev"]
        return games.tournament(InProcess(), opponents.OPPONENTS, split, games.matrix_move,
                                lambda m, t: evaluate.PAYOFF[(m, t)])["score"]
    finally:
        del sys.path[:2]
        for name in ("games", "opponents", "evaluate", "kit", "player", "channel"):
            sys.modules.pop(name, None)


def test_submitted_code_cannot_rewrite_payoffs_or_opponents(submit, tmp_path):
    assert _in_process_tournament(REWRITE_STATE, tmp_path) > 5  # positive control: in-process it wins the impossible
    defect = honest(submit, "prisoners_dilemma", {"strategy.py": ALWAYS_DEFECT})
    assert honest(submit, "prisoners_dilemma", {"strategy.py": REWRITE_STATE}) == defect <= 5


SAT_STATS = """
    import gc
    def heuristic_fn(clauses, assignment, rng):
        for obj in gc.get_objects():   # the solver's decision counter, if it is in this process
            if type(obj).__name__ == "Stats":
                obj.decisions = -1000
        return abs(clauses[0][0])
"""


def test_submitted_heuristic_cannot_reset_the_decision_count(submit, tmp_path):
    sys.path.insert(0, str(load_task("sat3_heuristic").root / "grader"))
    try:
        import random

        import solver

        namespace = {}
        exec(textwrap.dedent(SAT_STATS), namespace)
        _public, hidden = prepared_data(load_task("sat3_heuristic"))
        formula = json.loads((hidden / "splits.json").read_text())["dev"][0]
        _sat, _assignment, stats = solver.solve(formula, namespace["heuristic_fn"], random.Random(0))
        assert stats.decisions < 0  # positive control: in-process the count is the agent's to write
    finally:
        sys.path.pop(0)
        sys.modules.pop("solver", None)
    first_variable = "def heuristic_fn(clauses, assignment, rng):\n    return abs(clauses[0][0])\n"
    assert honest(submit, "sat3_heuristic", {"heuristic.py": SAT_STATS}) == honest(
        submit, "sat3_heuristic", {"heuristic.py": first_variable}) > 1


# -- submitted code cannot patch the clock or slow the baseline down ---------------------------------------------

SLOW_CONV = (load_task("vectorization").root / "starter" / "conv.py").read_text()
CLOCK = SLOW_CONV + """
import time
time.perf_counter = lambda: 0.0
time.monotonic = lambda: 0.0
time.time = lambda: 0.0
"""
SPINNER = SLOW_CONV + """
import os
if os.fork() == 0:           # a busy child that would steal the CPU while the baseline is timed
    while True:
        pass
"""


@pytest.mark.serial  # timed
def test_patched_clocks_and_background_spinners_do_not_change_the_speedup(submit, tmp_path):
    import importlib.util
    import time

    spec = importlib.util.spec_from_loader("clock_conv", loader=None)
    module = importlib.util.module_from_spec(spec)
    saved = time.perf_counter, time.monotonic, time.time
    try:
        exec(CLOCK, module.__dict__)  # positive control: in the scorer's process the clock is the agent's
        assert time.perf_counter() == 0.0
    finally:
        time.perf_counter, time.monotonic, time.time = saved
    for source in (CLOCK, SPINNER):
        speedup = honest(submit, "vectorization", {"conv.py": source})
        assert 0.5 < speedup < 1.5  # the same loops as the baseline: no faster, whatever the tricks


@pytest.mark.serial  # timed
def test_a_spinner_would_slow_the_baseline_without_the_freeze(tmp_path):
    code = """
        import sys, time
        sys.path.insert(0, "/common")
        import numpy as np
        from player import Player, TRUSTED_UID
        base = Player("/starter/conv.py", ["conv2d_forward"], uid=TRUSTED_UID)
        spin = Player("/submission/conv.py", ["conv2d_forward"])
        x, w, b = np.ones((4, 3, 30, 30), np.float32), np.ones((8, 3, 3, 3), np.float32), np.ones(8, np.float32)
        def timed():
            base.call("conv2d_forward", x, w, b, 1, 0)
            return base.last_seconds
        # Summed, not the best of a few: under a CPU quota a short call can fit in a period before the throttle.
        free = sum(timed() for _ in range(6))
        spin.freeze(); frozen = sum(timed() for _ in range(6)); spin.thaw()
        print(free / frozen)
        spin.close(); base.close()
    """
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "conv.py").write_text(SPINNER)
    proc = as_scorer("vectorization", code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert float(proc.stdout.strip().splitlines()[-1]) > 1.3  # the spinner halves a 1-CPU baseline; frozen it cannot


# -- forged output, floods, crashes, hangs and garbage ----------------------------------------------------------

FORGE = """
    import atexit, sys
    atexit.register(lambda: print('{"score": 99.0}'))    # a fake metrics line after the grader's own
    sys.stdout.write('{"score": 98.0}\\n')
    def row_strategy(history):
        print('{"score": 97.0}')
        return 0
"""


def test_forged_metrics_lines_and_output_floods_change_nothing(submit, tmp_path):
    from mlgym_nb.grading import _parse

    grader_output = '{"score": 2.3, "isolated": true}\n{"score": 99.0}\n'
    assert _parse(grader_output)["score"] == 99.0  # positive control: a line printed after the grader's would win
    cooperate = honest(submit, "prisoners_dilemma", {"strategy.py": "def row_strategy(h):\n    return 0\n"})
    assert honest(submit, "prisoners_dilemma", {"strategy.py": FORGE}) == cooperate
    flood = """
        import sys
        def row_strategy(history):
            sys.stdout.write("x" * 100000)
            sys.stderr.write("y" * 100000)
            return 0
    """
    assert honest(submit, "prisoners_dilemma", {"strategy.py": flood}) == cooperate


@pytest.mark.parametrize("body,message", [
    ("while True:\n        pass", "did not answer within the time limit"),
    ("import os; os._exit(3)", "exited with code 3"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "was killed by SIGKILL"),
    ("raise SystemExit(0)", "raised SystemExit"),
    ("return '1'", "row_strategy returned '1'; it must return 0 or 1"),
    ("return None", "row_strategy returned None"),
    ("return float('nan')", "row_strategy returned nan"),
    ("return [[[[0]]]] * 1000", "row_strategy returned"),
    ("return lambda: 0", "returned a value that cannot be sent back"),
    ("import os\n    while True:\n        os.fork()", "row_strategy failed"),
    ("x = bytearray(3 * 1024**3)\n    return 0", "row_strategy failed"),
])
def test_hangs_crashes_forks_and_garbage_are_invalid_with_the_cause(submit, body, message):
    score = submit("prisoners_dilemma", {"strategy.py": f"def row_strategy(history):\n    {body}\n"})
    assert score.status == "invalid", score
    assert message in score.message


def test_the_vectorization_grader_checks_every_output(submit):
    cheat = SLOW_CONV.replace("return out", "return out if np.random.random() < 0.5 else out * 0")
    score = submit("vectorization", {"conv.py": cheat})
    assert score.status == "invalid" and "differs from the reference" in score.message
    score = submit("vectorization", {"conv.py": "def conv2d_forward(x, w, b, stride=1, padding=0):\n    return [1]\n"})
    assert score.status == "invalid" and "not a numpy array" in score.message


def test_garbage_csv_is_invalid(submit):
    for text, message in [("\x00\xff garbage", "submission.csv must have the columns Id and SalePrice"),
                          ("Id,SalePrice\n1461,abc\n", "1461 is 'abc': not a number"),
                          ("Id,SalePrice\n" + "1," + "9" * 200000 + "\n", "not a readable CSV")]:
        score = submit("house_price", {"submission.csv": text})
        assert score.status == "invalid" and message in score.message, score


def test_one_snapshot_is_graded_on_both_splits(submit, tmp_path, no_leftover_containers):
    task = load_task("prisoners_dilemma")
    ws = Workspace.create(task)
    try:
        scores = grade_splits(task, ws.path, sandbox="docker")
        assert scores["dev"].submission == scores["test"].submission
        assert scores["dev"].value != scores["test"].value and scores["dev"].isolated is True
    finally:
        ws.discard()


# -- a failing grader is reported as what it is ----------------------------------------------------------------


@pytest.fixture
def custom_task(tmp_path):
    """A copy of prisoners_dilemma outside the project whose grader is replaced by ``evaluate``."""
    import shutil

    from mlgym_nb.tasks import load_task_file

    def make(evaluate, **grader):
        root = tmp_path / "tasks" / "custom"
        shutil.copytree(load_task("prisoners_dilemma").root, root, dirs_exist_ok=True)
        text = (root / "task.yaml").read_text().replace("id: prisoners_dilemma", "id: custom")
        for key, value in grader.items():
            text = text.replace(f"  {key}: 300", f"  {key}: {value}")
        (root / "task.yaml").write_text(text)
        (root / "grader" / "evaluate.py").write_text(textwrap.dedent(evaluate))
        return load_task_file(root / "task.yaml")

    return make


def test_grader_time_limit_out_of_memory_and_crash(custom_task, no_leftover_containers):
    task = custom_task("import time\ntime.sleep(60)\n", timeout=3)
    ws = Workspace.create(task)
    try:
        score = grade(task, ws.path, "dev", "docker")
        assert score.status == "invalid" and "grading ran past its 3 s limit" in score.message
        task = custom_task("x = bytearray(3 * 1024**3)\n")
        score = grade(task, ws.path, "dev", "docker")
        assert (score.status, score.message) == ("error", "the grader ran out of memory (limit 1.0 GiB)")
        task = custom_task("raise RuntimeError('grader bug')\n")
        score = grade(task, ws.path, "dev", "docker")
        assert score.status == "error" and "exited with code 1" in score.message and "grader bug" in score.message
        task = custom_task("print('{\"accuracy\": 1}')\n")
        score = grade(task, ws.path, "dev", "docker")
        assert score.status == "error" and "has no numeric 'score'" in score.message
    finally:
        ws.discard()


def test_a_task_outside_the_project_uses_the_shipped_grader_helpers(custom_task, no_leftover_containers):
    source = (load_task("prisoners_dilemma").root / "grader" / "evaluate.py").read_text()
    task = custom_task(source)
    assert not (task.root.parent / "_common").exists()
    ws = Workspace.create(task)
    try:
        assert grade(task, ws.path, "dev", "docker").value == pytest.approx(task.baseline["dev"])
    finally:
        ws.discard()
