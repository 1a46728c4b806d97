"""Grade generate.py on one hidden split: the speedup of greedy generation with SmolLM2-135M over the
baseline (higher is better), both timed here on the same prompts.

The submission runs in a player process (player.py, through loader.py) that gets a copy of the
public GGUF. The scorer keeps the hidden prompts and a trusted float32 copy of the model, loaded
while the player loads its own. The baseline is the starter's loop (transformers' generate, one
prompt at a time, one thread), run in this process with the player stopped. Both get the warm-up
prompts first (untimed), then all the split's prompts in one timed call each. Timing both side by
side on the same machine makes the score hold under a loaded machine: speedup = baseline seconds /
submission seconds (its tokens per second are reported too).

The answer must be the model's greedy continuation. Each returned sequence is checked by teacher
forcing under the trusted model: at each position the returned token must be the trusted argmax
given the prompt and the returned tokens before it, or within TIE nats of it in log-probability
(near ties may flip under other batch shapes, precisions or kernels). At least AGREEMENT of the
positions must pass; otherwise the submission is invalid, whatever its speed.
"""

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("MLGYM_COMMON_DIR", "/common"))
from kit import fail, parse_args, report, require  # noqa: E402
from player import Player, PlayerError  # noqa: E402

LOADER = os.path.join(os.environ.get("MLGYM_COMMON_DIR", "/common"), "loader.py")
GGUF = "smollm2.gguf"
LOAD_TIMEOUT, CALL_TIMEOUT = 600.0, 600.0  # generous: a loaded shared machine is 10 times slower
TIE = 0.1
AGREEMENT = 0.95


def trusted(hidden, into):
    """The grader's own float32 model, from the hidden copy of the GGUF (run in a thread)."""
    try:
        import torch
        from transformers import AutoModelForCausalLM

        torch.set_num_threads(1)  # as the baseline runs (and a second thread is slower on a busy machine)
        into["model"] = AutoModelForCausalLM.from_pretrained(hidden, gguf_file=GGUF).eval()
        into["model"].generation_config.eos_token_id = None  # greedy continuations of a fixed length
    except Exception as exc:  # a grader fault, not the submission's: reported as an error
        into["error"] = exc


def tokens_of(reply, prompts, n, vocab, what):
    """The reply as an (len(prompts), n) int64 array of token ids, or an invalid-submission report."""
    if hasattr(reply, "shape") and hasattr(reply, "tolist"):
        reply = list(reply)
    if not isinstance(reply, list) or len(reply) != len(prompts):
        count = f"a list of {len(reply)}" if isinstance(reply, list) else f"a {type(reply).__name__}"
        fail(f"generate returned {count} for {len(prompts)} {what} prompts; it must return one list of token ids "
             "per prompt")
    rows = []
    for i, row in enumerate(reply):
        try:
            array = np.asarray(row)
        except (TypeError, ValueError):
            array = np.asarray([])
        if array.dtype.kind not in "iu" or array.shape != (n,):
            fail(f"generate returned {type(row).__name__} {str(getattr(array, 'shape', ''))} for {what} prompt {i}; "
                 f"it must be {n} integer token ids (the new tokens only, not the prompt)")
        if array.min() < 0 or array.max() >= vocab:
            fail(f"generate returned token ids outside 0..{vocab - 1} for {what} prompt {i}")
        rows.append(array.astype(np.int64))
    return np.stack(rows)


def gaps(model, prompts, tokens):
    """Per generated position: the trusted log-probability of its argmax minus that of the returned token."""
    import torch

    n = tokens.shape[1]
    width = max(map(len, prompts)) + n
    ids = torch.zeros((len(prompts), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, prompt in enumerate(prompts):
        ids[i, :len(prompt) + n] = torch.tensor(list(prompt) + tokens[i].tolist())
        mask[i, :len(prompt) + n] = 1
    with torch.inference_mode():
        logp = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits.double(), dim=-1)
    out = np.zeros(tokens.shape)
    for i, prompt in enumerate(prompts):
        rows = logp[i, len(prompt) - 1:len(prompt) - 1 + n]  # the rows that predict the returned tokens
        chosen = rows.gather(1, torch.from_numpy(tokens[i]).unsqueeze(1)).squeeze(1)
        out[i] = (rows.max(dim=1).values - chosen).numpy()
    return out


def baseline(model, prompts, n):
    """Seconds the starter's loop takes on ``prompts``: transformers' generate, one prompt at a time, one thread
    (as the starter runs in a player with OMP_NUM_THREADS=1)."""
    import torch

    torch.set_num_threads(1)  # in this thread too: OpenMP's setting is per thread
    start = time.perf_counter()
    for prompt in prompts:
        ids = torch.tensor([prompt])
        with torch.no_grad():
            model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=n)
    return time.perf_counter() - start


def stage(hidden):
    """A folder the player may read, holding a copy of the GGUF (it cannot read /secret)."""
    folder = tempfile.mkdtemp(prefix="model-")
    shutil.copyfile(os.path.join(hidden, GGUF), os.path.join(folder, GGUF))
    os.chmod(os.path.join(folder, GGUF), 0o644)
    os.chmod(folder, 0o755)
    return folder


def main():
    args = parse_args()
    spec = json.loads((Path(args.hidden) / "prompts.json").read_text())
    n = spec["max_new_tokens"]
    path = require(args.submission, "generate.py", "define load(folder), returning an object with "
                                                   "generate(prompts, max_new_tokens) (see the starter)")
    try:
        player = Player(LOADER, ["load", "call"], label="generate.py")
    except PlayerError as exc:
        fail(str(exc))
    ours = {}
    loading = threading.Thread(target=trusted, args=(args.hidden, ours), daemon=True)
    with player:
        loading.start()
        try:
            player.call("load", path, stage(args.hidden), timeout=LOAD_TIMEOUT)
        except PlayerError as exc:
            fail(f"load(folder) failed: {exc}")
        loading.join()
        if "error" in ours:
            raise RuntimeError(f"the grader could not load its own model: {ours['error']}")
        model = ours["model"]
        vocab = model.config.vocab_size
        passed, base = [], 0.0
        for what in ("warm-up", args.split):
            prompts = spec["warmup" if what == "warm-up" else args.split]  # token ids (prepare.py)
            player.freeze()  # nothing of the submission runs while the baseline is timed
            try:
                base = baseline(model, prompts, n)
            finally:
                player.thaw()
            try:
                reply = player.call("call", "generate", prompts, n, timeout=CALL_TIMEOUT)
            except PlayerError as exc:
                fail(f"generate failed on the {what} prompts: {exc}")
            tokens = tokens_of(reply, prompts, n, vocab, what)
            ok = gaps(model, prompts, tokens) <= TIE  # the warm-up's right away: a wrong answer stops here
            if ok.mean() < AGREEMENT:
                fail(f"generate's tokens are not the model's greedy continuation: on the {what} prompts only "
                     f"{ok.mean():.1%} of them are the model's argmax (within {TIE} nats) given the tokens before "
                     f"them; at least {AGREEMENT:.0%} must be")
            passed.append(ok)
    tokens, seconds = tokens.size, player.last_seconds
    report({"speedup": round(base / seconds, 3), "tokens_per_second": round(tokens / seconds, 2),
            "baseline_tokens_per_second": round(tokens / base, 2), "tokens": tokens,
            "seconds": round(seconds, 3), "baseline_seconds": round(base, 3),
            "agreement": round(float(np.concatenate(passed, axis=None).mean()), 4)})


if __name__ == "__main__":
    main()
