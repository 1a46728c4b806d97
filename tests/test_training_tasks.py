"""The graders of the training tasks against garbage and hostile models and policies, in real grader containers.

A policy that returns the wrong shape, NaN or not numbers, that raises, hangs, exits or is missing ends
``invalid`` with a message naming the cause, and so does a malformed label file; honest submissions get
the score computed by hand (a policy that never pushes scores 0, a constant labelling scores the
frequency of its class).
"""

import textwrap

import pytest

from mlgym_nb.tasks import load_task

pytestmark = pytest.mark.docker


# -- rl_mountain_car_continuous: policy.py + checkpoints/ -------------------------------------------------

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
])
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
    (labels_csv((i, "shirt") for i in range(10000)), "is not a class number"),
    (labels_csv((i, 1) for i in range(4000)), "lacks labels for 1000 of the 5000 dev ids"),
], ids=["columns", "label-10", "label-text", "missing-ids"])
def test_malformed_label_files_are_invalid_with_the_cause(submit, text, message):
    score = submit("fashion_mnist", {"submission.csv": text})
    assert score.status == "invalid", score
    assert message in score.message
