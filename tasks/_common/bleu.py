"""Corpus BLEU (Papineni et al., 2002) with several references per sentence, for the captioning grader.

Tokens are the runs of lower-case letters and digits (``tokens``). For n = 1..4, the candidate's n-gram
counts are clipped by the largest count of that n-gram in any one reference, and summed over the corpus:
p_n = clipped / total. The brevity penalty compares the candidates' total length c with r, the sum over
sentences of the reference length closest to the candidate's (the shorter one on a tie):
BP = 1 if c > r else exp(1 - r / c). BLEU = BP * exp(mean of log p_n), 0 when any p_n is 0 (no smoothing).
"""

import math
import re
from collections import Counter

_WORD = re.compile(r"[a-z0-9]+")


def tokens(text):
    return _WORD.findall(text.lower())


def ngrams(words, n):
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def corpus_bleu(candidates, references, max_n=4):
    """{"bleu", "precisions", "brevity_penalty", "length_ratio"} of token lists ``candidates`` against
    ``references`` (per candidate, a list of token lists)."""
    clipped, total = [0] * max_n, [0] * max_n
    c = r = 0
    for cand, refs in zip(candidates, references, strict=True):
        c += len(cand)
        r += min((abs(len(ref) - len(cand)), len(ref)) for ref in refs)[1]
        for n in range(1, max_n + 1):
            counts = ngrams(cand, n)
            most = Counter()
            for ref in refs:
                most |= ngrams(ref, n)  # | keeps the larger count of each n-gram
            clipped[n - 1] += sum(min(k, most[g]) for g, k in counts.items())
            total[n - 1] += max(len(cand) - n + 1, 0)
    precisions = [k / t if t else 0.0 for k, t in zip(clipped, total, strict=True)]
    bp = 1.0 if c > r else math.exp(1 - r / c) if c else 0.0
    bleu = bp * math.exp(sum(math.log(p) for p in precisions) / max_n) if min(precisions) > 0 else 0.0
    return {"bleu": bleu, "precisions": precisions, "brevity_penalty": bp, "length_ratio": c / r if r else 0.0}
