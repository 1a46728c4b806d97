"""IPython extension loaded in every task kernel: `%%edit`, `%docs`, and `%validate` / `%submit` outside the harness.

`%%edit FILE START-END` replaces lines START to END (1-based, inclusive; `START-` to the end, `N-N` for
one line, `0-0` to insert at the top) of FILE with the cell's body and shows the edited region with
line numbers: an edit is a visible cell in the notebook, and reruns repeat it.

`%docs QUERY` searches the documentation index of the kernel's packages (names, signatures, first
docstring paragraphs; built with the image) and the markdown files in /data. The harness answers it
for agents with the same search (search_docs), so a rerun shows the same hits.

In an episode `%validate` and `%submit` are handled by NotebookEnv, which grades the workspace in the
grader's sandbox and never sends them to the kernel. When an episode notebook is re-executed by plain
papermill, nbconvert or JupyterLab, they reach the kernel: these magics say so instead of failing. In a
kernel of `mlgym-nb task open` (its workspace has a `.mlgym` folder) they ask the host to grade, as for
an agent, and print the answer (mlgym_nb/manual.py).
"""

import json
import math
import os
import re
from collections import Counter

DOCS_INDEX = "/opt/venv-docs/index.jsonl"
_indexes = {}


GRADING_WAIT = 1800  # seconds: longer than any grader may run


def _grading_magic(name):
    """%validate / %submit: asks the host to grade (kernels of `mlgym-nb task open`), else says nothing was."""

    def magic(line=""):
        import time
        import uuid

        requests = "/workspace/.mlgym" if os.path.isdir("/workspace/.mlgym") else os.path.join(os.getcwd(), ".mlgym")
        if not os.path.isdir(requests) or os.path.islink(requests):
            print(f"[mlgym] %{name} is an action of the mlgym harness: nothing was graded here. "
                  f"Re-execute episodes with `mlgym-nb rerun` to grade them.")
            return
        ident = uuid.uuid4().hex
        with open(os.path.join(requests, f"request-{ident}.json"), "w") as f:
            json.dump({"action": name}, f)
        result = os.path.join(requests, f"result-{ident}.txt")
        deadline = time.monotonic() + GRADING_WAIT
        while time.monotonic() < deadline:
            if os.path.exists(result):
                time.sleep(0.05)  # the host writes it in one go; let it finish
                with open(result) as f:
                    print(f.read(), end="")
                os.remove(result)
                return
            time.sleep(0.2)
        print(f"[mlgym] no grader answered %{name}: only kernels started by `mlgym-nb task open` are graded")

    magic.__name__ = name
    return magic


def edit(line, cell):
    """%%edit FILE START-END: replace those lines of FILE with the cell's body."""
    match = re.fullmatch(r"\s*(\S+)\s+(\d+)-(\d*)\s*", line)
    if not match:
        print("usage: %%edit FILE START-END (1-based, inclusive), then the new lines in the cell")
        return
    path, start, end = match.group(1), int(match.group(2)), match.group(3)
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        lines = []
    end = len(lines) if end == "" else int(end)
    if start < 0 or end < start - 1 or start > len(lines) + 1:
        print(f"%%edit: lines {start}-{end} are outside {path}, which has {len(lines)} lines")
        return
    new = cell.rstrip("\n").splitlines()
    first = max(start, 1)
    lines[first - 1:end] = new
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    shown_from, shown_to = max(first - 3, 1), min(first + len(new) + 2, len(lines))
    print(f"{path}: lines {first}-{first + len(new) - 1} now read ({len(lines)} lines in all):")
    for number in range(shown_from, shown_to + 1):
        print(f"{number:4d}| {lines[number - 1]}")


def _words(text):
    """Lower-case words, camel case split: HistGradientBoostingRegressor -> hist gradient boosting regressor."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return re.findall(r"[a-z0-9]+", text.lower())


def _load(paths):
    key = tuple((p, os.path.getmtime(p)) for p in paths if os.path.exists(p))
    if key not in _indexes:
        entries = []
        for path, _mtime in key:
            if path.endswith(".jsonl"):
                with open(path) as f:
                    entries += [json.loads(line) for line in f if line.strip()]
            else:  # a task document: searched by paragraph
                with open(path, errors="replace") as f:
                    for part in f.read().split("\n\n"):
                        if part.strip():
                            entries.append({"name": os.path.basename(path), "signature": "", "doc": part.strip()})
        bags = [Counter(_words(e["name"]) * 3 + _words(e["signature"]) + _words(e["doc"])) for e in entries]
        df = Counter(word for bag in bags for word in bag)
        _indexes.clear()
        _indexes[key] = (entries, bags, {w: math.log(len(bags) / n) + 1 for w, n in df.items()})
    return _indexes[key]


def search_docs(query, paths, k=5):
    """The k index entries (name, signature, doc) that best match the query, best first."""
    entries, bags, idf = _load(paths)
    words = _words(query)
    wanted = query.strip().split(".")[-1].lower()
    scored = []
    for entry, bag in zip(entries, bags, strict=True):
        score = sum(idf.get(w, 0) * min(bag.get(w, 0), 3) for w in set(words))
        if entry["name"].split(".")[-1].lower() == wanted:
            score *= 3  # the very name asked for
        if score > 0:
            scored.append((score, -len(entry["name"]), entry))
    scored.sort(key=lambda item: item[:2], reverse=True)
    return [entry for _score, _length, entry in scored[:k]]


def docs_paths(data=None):
    """What %docs searches: the packages' index and the task's markdown files in /data (both where the
    unisolated local sandbox says they are)."""
    data = data or os.environ.get("MLGYM_DATA_DIR") or "/data"
    extra = sorted(os.path.join(data, f) for f in os.listdir(data) if f.endswith(".md")) if os.path.isdir(data) \
        else []
    return [os.environ.get("MLGYM_DOCS_INDEX") or DOCS_INDEX] + extra


def format_hits(query, hits):
    if not hits:
        return f"no documentation matches {query!r}"
    return "\n".join(f"{h['name']}{h['signature']}\n    {h['doc'][:300]}" for h in hits)


def docs(line):
    """%docs QUERY: the best matches in the kernel's documentation index."""
    print(format_hits(line, search_docs(line, docs_paths())))


def load_ipython_extension(ipython):
    for name in ("validate", "submit"):
        ipython.register_magic_function(_grading_magic(name), magic_kind="line", magic_name=name)
    ipython.register_magic_function(edit, magic_kind="cell", magic_name="edit")
    ipython.register_magic_function(docs, magic_kind="line", magic_name="docs")
