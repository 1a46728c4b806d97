"""Helpers for graders (mounted read-only at /common in grader sandboxes, next to /grader,
/hidden and /starter). A grader prints one JSON dict: its metrics, or {"error": ...} when the
submission is missing or malformed."""

import argparse
import importlib.util
import json
import os
import sys
import traceback
from pathlib import Path


def mounted(name):
    """Where a grader-sandbox folder is: /<name>, or its host path in the unisolated local sandbox."""
    return os.environ.get(f"MLGYM_{name.upper()}_DIR", f"/{name}")


def fail(message):
    """Report an invalid submission and stop."""
    print(json.dumps({"error": message}))
    sys.exit(0)


def parse_args():
    """The grader command line: --split, --workspace, --hidden."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", required=True)
    parser.add_argument("--workspace", default="/workspace")
    parser.add_argument("--hidden", default="/hidden")
    return parser.parse_args()


def load_function(path, name, signature):
    """The function ``name`` from the Python file ``path``, or an invalid-submission report."""
    path = Path(path)
    if not path.exists():
        fail(f"no {path.name} in the workspace; it must define {name}{signature}")
    spec = importlib.util.spec_from_file_location(f"submitted_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:
        fail(f"{path.name} raised on import:\n" + traceback.format_exc(limit=3))
    if not callable(getattr(module, name, None)):
        fail(f"{path.name} defines no function {name}{signature}")
    return getattr(module, name)
