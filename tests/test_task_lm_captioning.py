"""Tasks fineweb_lm, babylm (byte-level LMs graded by tasks/_common/byte_lm.py, as lm_shakespeare) and
coco_captioning (corpus BLEU-4, tasks/_common/bleu.py): BLEU against values computed by hand, and the
graders on stand-in data in real grader containers (known submissions score the value computed here;
garbage is invalid with its cause)."""

import json
import math
import sys

import numpy as np
import pytest

from mlgym_nb.datasets import data_dir, write_stand_in
from mlgym_nb.paths import PROJECT_ROOT
from mlgym_nb.tasks import load_task
from mlgym_nb.workspace import prepared_data

sys.path.insert(0, str(PROJECT_ROOT / "tasks" / "_common"))
from bleu import corpus_bleu, tokens  # noqa: E402

# -- BLEU, by hand --------------------------------------------------------------------------------------------

def bleu(candidates, references, max_n=4):
    return corpus_bleu([tokens(c) for c in candidates], [[tokens(r) for r in refs] for refs in references],
                       max_n)["bleu"]


def test_tokens_are_lower_case_runs_of_letters_and_digits():
    assert tokens("A man's Red-car, 2 dogs!") == ["a", "man", "s", "red", "car", "2", "dogs"]


def test_a_caption_equal_to_a_reference_scores_1():
    assert bleu(["A red circle above a blue square."], [["a red circle above a blue square", "red circle"]]) == 1.0


def test_no_matching_4_gram_scores_0():
    # 1-grams 5/6, 2-grams 3/5, 3-grams 1/4, 4-grams 0/3: no smoothing, so 0.
    score = corpus_bleu([tokens("the cat sat on the mat")], [[tokens("the cat is on the mat")]])
    assert score["precisions"] == [5 / 6, 3 / 5, 1 / 4, 0.0] and score["bleu"] == 0.0


def test_each_n_gram_counts_against_its_best_reference():
    # With a second reference: 1-grams 6/6 (the x2 is in the first), 2-grams 5/5, 3-grams 3/4, 4-grams 1/3;
    # lengths 6 = 6, so BLEU = (1 * 1 * 3/4 * 1/3) ** (1/4) = 0.25 ** 0.25.
    score = bleu(["the cat sat on the mat"], [["the cat is on the mat", "the cat sat on a mat"]])
    assert score == pytest.approx(0.25 ** 0.25, abs=1e-12)


def test_counts_are_clipped():
    assert bleu(["the the the the"], [["the cat"]], max_n=1) == 0.25  # 1 of 4; longer than the reference: BP 1


def test_brevity_penalty_uses_the_closest_reference_length_the_shorter_on_a_tie():
    # c = 2 words, r = 6: BP = exp(1 - 6 / 2); every 1- and 2-gram matches.
    assert bleu(["the cat"], [["the cat sat on the mat"]], max_n=2) == pytest.approx(math.exp(-2), abs=1e-12)
    # c = 4, references of 3 and 5 words: r = 3 (the tie goes to the shorter), so c > r and BP = 1.
    score = corpus_bleu([tokens("a b c d")], [[tokens("a b c"), tokens("a b c d e")]], max_n=1)
    assert score["brevity_penalty"] == 1.0 and score["bleu"] == 1.0


def test_precisions_are_pooled_over_the_corpus_not_averaged():
    # 2 of 2 and 0 of 4 matching words: 2 / 6, not the mean of 1 and 0.
    assert bleu(["a b", "c d e f"], [["a b"], ["x y z w"]], max_n=1) == pytest.approx(1 / 3, abs=1e-12)


# -- graders on stand-in data, in containers ------------------------------------------------------------------

@pytest.fixture(scope="module")
def stand_ins(module_data):
    """Stand-in data for the three tasks, in a data folder of this module's own."""
    for task_id in ("fineweb_lm", "babylm", "coco_captioning"):
        task = load_task(task_id)
        write_stand_in(task, data_dir(task))


def hidden(task_id):
    return prepared_data(load_task(task_id))[1]


FIXED_MODEL = """
import numpy as np

P = np.full(256, 0.5 / 255)
P[ord("e")] = 0.5


class Model:
    def next_byte_probs(self, contexts):
        return np.tile(P, (len(contexts), 1))


def load(folder):
    return Model()
"""


@pytest.mark.docker
@pytest.mark.parametrize("task_id", ["fineweb_lm", "babylm"])
def test_a_fixed_byte_distribution_scores_its_log_loss_on_the_hidden_windows(stand_ins, submit, task_id):
    # Computed here from the hidden windows: half the mass on "e", the rest spread evenly.
    folder = hidden(task_id)
    split = json.loads((folder / "windows.json").read_text())["dev"]
    text = (folder / "dev.txt").read_bytes()
    scored = [text[o + split["prefix"] + i] for o in split["offsets"] for i in range(split["scored"])]
    expected = float(np.mean([1.0 if b == ord("e") else -math.log2(0.5 / 255) for b in scored]))
    score = submit(task_id, {"model.py": FIXED_MODEL, "checkpoint/notes.txt": "no weights\n"})
    assert score.status == "scored", score.message
    assert score.value == round(expected, 4) and score.metrics["bytes"] == len(scored) == 32 * 128


@pytest.mark.docker
def test_a_byte_model_returning_nan_is_invalid(stand_ins, submit):
    model = FIXED_MODEL.replace("return np.tile(P, (len(contexts), 1))", "return np.full((len(contexts), 256), np.nan)")
    score = submit("babylm", {"model.py": model, "checkpoint/notes.txt": "no weights\n"})
    assert score.status == "invalid" and "not finite" in score.message


def captions_csv(rows):
    return "image_id,caption\n" + "".join(f"{i},{c}\n" for i, c in rows)


@pytest.mark.docker
def test_captions_equal_to_a_reference_score_bleu_1(stand_ins, submit):
    truth = json.loads((hidden("coco_captioning") / "dev_captions.json").read_text())
    score = submit("coco_captioning", {"submission.csv": captions_csv((i, refs[2]) for i, refs in truth.items())})
    assert score.status == "scored", score.message
    assert score.value == 1.0 and score.metrics["images"] == len(truth)


@pytest.mark.docker
def test_one_caption_for_every_image_scores_the_bleu_computed_by_hand(stand_ins, submit):
    truth = json.loads((hidden("coco_captioning") / "dev_captions.json").read_text())
    caption = "a red circle above a blue square"
    score = submit("coco_captioning", {"submission.csv": captions_csv((i, caption) for i in truth)})
    assert score.status == "scored", score.message
    expected = corpus_bleu([tokens(caption)] * len(truth), [[tokens(r) for r in refs] for refs in truth.values()])
    assert score.value == round(expected["bleu"], 5)


@pytest.mark.docker
@pytest.mark.parametrize("text,message", [
    ("image_id,caption\n1,a dog\n", "lacks predictions for"),
    ("id,text\n1,a dog\n", "must have the columns image_id and caption"),
    ("image_id,caption\n{first},...\n", "a caption needs at least one word"),
    ("image_id,caption\n{first}," + "word " * 200 + "\n", "captions have at most 500 characters"),
    ("\x00\xff\xfe garbage", "must have the columns image_id and caption"),
], ids=["missing-ids", "columns", "no-words", "too-long", "binary"])
def test_garbage_captions_are_invalid_with_the_cause(stand_ins, submit, text, message):
    first = next(iter(json.loads((hidden("coco_captioning") / "dev_captions.json").read_text())))
    score = submit("coco_captioning", {"submission.csv": text.format(first=first)})
    assert score.status == "invalid" and message in score.message, score
