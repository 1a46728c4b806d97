"""The graders of the training tasks against garbage and hostile models and policies, in real grader containers.

Submitted code that returns the wrong shape, NaN, rows that are not distributions or actions out of
range, that raises, hangs, exits or is missing ends ``invalid`` with a message naming the cause, and so
does a malformed label file; honest submissions get the score computed by hand (a uniform byte model
scores 8 bits per byte, a policy that never pushes scores 0, a constant labelling scores the frequency
of its class).
"""

import textwrap

import pytest

from mlgym_nb.tasks import load_task

pytestmark = pytest.mark.docker


# -- lm_shakespeare: model.py + checkpoint/ -----------------------------------------------------------------

LM_HEAD = """
import numpy as np


class Model:
    calls = 0

    def next_byte_probs(self, contexts):
        self.calls += 1
        n = len(contexts)
"""


def lm(body, load="def load(folder):\n    return Model()\n"):
    return {"model.py": LM_HEAD + textwrap.indent(textwrap.dedent(body), " " * 8) + "\n\n" + load,
            "checkpoint/weights.txt": "none\n"}


def test_a_uniform_model_scores_8_bits_per_byte_and_sees_one_new_byte_per_call(submit):
    # Each call's contexts are the previous call's plus exactly one byte: no byte arrives before its distribution.
    score = submit("lm_shakespeare", lm("""
        lengths = {len(c) for c in contexts}
        assert lengths == {64 + self.calls - 1}, (lengths, self.calls)
        if self.calls > 1:
            assert all(c[:-1] == p for c, p in zip(contexts, self.previous)), "a context changed"
        self.previous = contexts
        return np.full((n, 256), 1 / 256)
    """))
    assert score.status == "scored", score.message
    assert score.value == 8.0 and score.metrics["bytes"] == 32 * 128


@pytest.mark.parametrize("body,message", [
    ("return np.full((n, 255), 1 / 255)", "shape (32, 255)"),
    ("return np.full((n, 256), np.nan)", "not finite"),
    ("return np.ones((n, 256))", "sums to 256"),
    ("p = np.full((n, 256), 2 / 256); p[:, 0] = -1 + 2 / 256; return p", "negative probabilities"),
    ("return [['a'] * 256] * n", "not a rectangular array of numbers"),
    ("return 'the next byte is e'", "it must return a numpy array"),
    ("raise ValueError('no idea')", "raised ValueError: no idea"),
    ("while self.calls > 1:\n    pass\nreturn np.full((n, 256), 1 / 256)", "did not answer within the time limit"),
], ids=["shape", "nan", "sum", "negative", "strings", "text", "raises", "hangs"])
def test_garbage_byte_models_are_invalid_with_the_cause(submit, body, message):
    score = submit("lm_shakespeare", lm(body))
    assert score.status == "invalid", score
    assert message in score.message


def test_a_model_without_load_or_checkpoint_is_invalid(submit):
    score = submit("lm_shakespeare", lm("return None", load=""))
    assert score.status == "invalid" and "model.py defines no function load(folder)" in score.message
    score = submit("lm_shakespeare", {"model.py": lm("return None")["model.py"]})
    assert score.status == "invalid" and "no checkpoint/ in the workspace" in score.message


# -- the gymnax tasks: policy.py + checkpoints/ ----------------------------------------------------------

def policy(body):
    return {"policy.py": "import numpy as np\n\n\ndef load(folder):\n    calls = []\n\n    def act(obs):\n"
                         "        calls.append(1)\n" + textwrap.indent(textwrap.dedent(body), " " * 8)
                         + "\n\n    return act\n",
            "checkpoints/params.txt": "none\n"}


def test_honest_policies_get_their_return(submit):
    still = submit("rl_mountain_car_continuous", policy("return np.zeros((len(obs), 1))"))
    assert still.status == "scored" and still.value == 0.0 and still.metrics["mean_length"] == 999
    # Pushing with the velocity swings the car up: a positive control that the returns are the environment's.
    pump = submit("rl_mountain_car_continuous", policy("return np.where(obs[:, 1:2] >= 0, 1.0, -1.0)"))
    assert pump.status == "scored" and pump.value > 80 and pump.metrics["episodes"] == 256


@pytest.mark.parametrize("task_id,body,message", [
    ("rl_mountain_car_continuous", "return np.zeros((len(obs), 2))", "expected (256, 1)"),
    ("rl_mountain_car_continuous", "return np.full((len(obs), 1), np.nan)", "not finite"),
    ("rl_mountain_car_continuous", "return 'left'", "it must return a numpy array of numbers"),
    ("rl_mountain_car_continuous", "raise RuntimeError('lost')", "raised RuntimeError: lost"),
    ("rl_mountain_car_continuous", "while len(calls) > 1:\n    pass\nreturn np.zeros((len(obs), 1))",
     "did not answer within the time limit"),
    ("rl_mountain_car_continuous", "import os\nos._exit(0)", "exited with code 0"),
    ("rl_meta_maze", "return np.full(len(obs), 4)", "actions are whole numbers 0-3"),
    ("rl_meta_maze", "return np.full(len(obs), 0.5)", "actions are whole numbers 0-3"),
    ("rl_breakout_minatar", "return np.full(len(obs), 3)", "actions are whole numbers 0-2"),
    ("rl_breakout_minatar", "return np.zeros((len(obs), 3))", "expected (256,)"),
], ids=["car-shape", "car-nan", "car-text", "car-raises", "car-hangs", "car-exits", "maze-4", "maze-half",
        "breakout-3", "breakout-shape"])
def test_garbage_policies_are_invalid_with_the_cause(submit, task_id, body, message):
    score = submit(task_id, policy(body))
    assert score.status == "invalid", score
    assert message in score.message


def test_a_policy_without_checkpoints_is_invalid(submit):
    score = submit("rl_mountain_car_continuous", {"policy.py": policy("return None")["policy.py"]})
    assert score.status == "invalid" and "no checkpoints/ in the workspace" in score.message


# -- fashion_mnist: submission.csv (no submitted code runs) ------------------------------------------------

def labels_csv(rows):
    return "id,label\n" + "".join(f"{i},{label}\n" for i, label in rows)


def test_a_constant_labelling_scores_the_frequency_of_its_class(submit):
    import numpy as np

    from mlgym_nb.workspace import prepared_data

    _public, hidden = prepared_data(load_task("fashion_mnist"))
    truth = np.load(hidden / "dev_labels.npy")
    score = submit("fashion_mnist", {"submission.csv": labels_csv((i, 3) for i in range(10000))})
    assert score.status == "scored", score.message
    assert score.value == round(float(np.mean(truth == 3)), 5) and score.metrics["images"] == 5000


@pytest.mark.parametrize("text,message", [
    ("id,class\n0,1\n", "must have the columns id and label"),
    (labels_csv((i, 10) for i in range(10000)), "labels are whole numbers 0-9"),
    (labels_csv((i, "shirt") for i in range(10000)), "not a class number"),
    (labels_csv((i, 1) for i in range(4000)), "lacks predictions for 1000 of the 5000 dev ids"),
], ids=["columns", "label-10", "label-text", "missing-ids"])
def test_malformed_label_files_are_invalid_with_the_cause(submit, text, message):
    score = submit("fashion_mnist", {"submission.csv": text})
    assert score.status == "invalid", score
    assert message in score.message
