"""llama_inference's grader: tokens that are not the model's greedy continuation make a submission
invalid with the cause; a slower submission scores its real, slower time (graded in Docker with the
nlp image; each grading loads SmolLM2 from its GGUF, about 30 s on an idle machine)."""

import pytest

pytestmark = [pytest.mark.docker, pytest.mark.serial]  # timed

FAKE = """
import numpy as np


class Fake:
    def generate(self, prompts, max_new_tokens):
        return {body}


def load(folder):
    assert open(folder + "/smollm2.gguf", "rb").read(4) == b"GGUF"  # the model is there, readable
    return Fake()
"""


@pytest.mark.parametrize("body, message", [
    ("[np.random.default_rng(0).integers(0, 49152, max_new_tokens) for _ in prompts]",
     "not the model's greedy continuation"),
    ("[[13] * max_new_tokens for _ in prompts]", "not the model's greedy continuation"),
    ("[list(p) + [13] * max_new_tokens for p in prompts]", "the new tokens only, not the prompt"),
    ("'hello'", "generate returned a str for 2 warm-up prompts"),
])
def test_tokens_that_are_not_the_greedy_continuation_are_invalid(submit, body, message):
    score = submit("llama_inference", {"generate.py": FAKE.format(body=body)})
    assert score.status == "invalid", score
    assert message in score.message


def test_a_sleeping_submission_is_scored_by_its_real_time(submit):
    from mlgym_nb.tasks import load_task

    starter = (load_task("llama_inference").root / "starter" / "generate.py").read_text()
    slow = starter.replace("        return outputs\n", "        time.sleep(5)\n        return outputs\n")
    slow = slow.replace("import torch\n", "import time\n\nimport torch\n", 1)
    assert slow.count("time.sleep(5)") == 1
    score = submit("llama_inference", {"generate.py": slow})
    assert score.status == "scored", score
    metrics = score.metrics
    assert metrics["agreement"] >= 0.95 and metrics["tokens"] == 8 * 32
    assert metrics["seconds"] >= 5  # timed from the grader's side: the sleep counts
    assert score.value == pytest.approx(metrics["baseline_seconds"] / metrics["seconds"], abs=2e-3)
    assert metrics["tokens_per_second"] == pytest.approx(256 / metrics["seconds"], abs=0.02)
