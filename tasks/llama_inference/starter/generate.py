"""Greedy generation with SmolLM2-135M-Instruct: the baseline the grader times.

The grader calls ``load(folder)`` once (``folder`` holds smollm2.gguf, as /data does), then
``generator.generate(prompts, max_new_tokens)`` with a list of prompts, each a list of token ids,
and expects, for each prompt, exactly ``max_new_tokens`` new token ids (the prompt left out): the
model's greedy continuation, which does not stop at the end-of-text token.

Baseline: transformers' ``generate`` on one prompt at a time, float32, default thread settings.
"""

import torch
from transformers import AutoModelForCausalLM


class Generator:
    def __init__(self, model):
        self.model = model

    def generate(self, prompts, max_new_tokens):
        outputs = []
        for prompt in prompts:
            ids = torch.tensor([prompt])
            with torch.no_grad():
                out = self.model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False,
                                          max_new_tokens=max_new_tokens)
            outputs.append(out[0, len(prompt):].tolist())
        return outputs


def load(folder):
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file="smollm2.gguf")
    model.generation_config.eos_token_id = None  # greedy continuation of fixed length: never stop early
    model.eval()
    return Generator(model)


if __name__ == "__main__":  # a quick look: python generate.py
    import json
    import time

    from transformers import AutoTokenizer

    generator = load("/data")
    tokenizer = AutoTokenizer.from_pretrained("/data", gguf_file="smollm2.gguf")
    prompts = [sample["ids"] for sample in json.load(open("/data/sample_prompts.json"))]
    start = time.perf_counter()
    outputs = generator.generate(prompts, 32)
    seconds = time.perf_counter() - start
    for prompt, out in zip(prompts, outputs, strict=True):
        print(repr(tokenizer.decode(prompt)), "->", repr(tokenizer.decode(out)))
    print(f"{sum(map(len, outputs)) / seconds:.1f} tokens/s")
