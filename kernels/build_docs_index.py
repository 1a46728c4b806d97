"""Build the documentation index of a kernel family's packages: run with the family's Python at image build.

Usage: python build_docs_index.py OUT.jsonl PACKAGE [PACKAGE ...]

One JSON line per public function or class defined in the packages' modules: its qualified name, its
signature and the first paragraph of its docstring. ``%docs QUERY`` in a kernel searches it
(mlgym_kernel_ext.search_docs), offline; so does the harness for agents.
"""

import importlib
import inspect
import json
import pkgutil
import sys
import warnings

SKIP = ("test", "tests", "testing", "conftest", "_", "setup", "externals", "vendored", "benchmarks")


def public_modules(package, depth=3):
    """The package and its public submodules (no tests, no private ones), breadth first."""
    queue, found = [package], []
    while queue:
        name = queue.pop(0)
        try:
            module = importlib.import_module(name)
        except BaseException:  # noqa: B036 - optional dependencies, SystemExit from scripts
            continue
        found.append(module)
        if name.count(".") < depth:
            queue += [f"{name}.{m.name}" for m in pkgutil.iter_modules(getattr(module, "__path__", []))
                      if not m.name.startswith(SKIP)]
    return found


def entries(package):
    """Public functions and classes of the package, each under the shortest public name it is exported at."""
    seen = set()
    for module in public_modules(package):
        for attr, obj in sorted(vars(module).items()):
            if attr.startswith("_") or id(obj) in seen:
                continue
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if not str(getattr(obj, "__module__", "")).startswith(package):
                continue  # re-exported from another package
            seen.add(id(obj))
            try:
                signature = str(inspect.signature(obj))
            except (TypeError, ValueError):
                signature = "(...)"
            doc = (inspect.getdoc(obj) or "").split("\n\n")[0].strip()
            yield {"name": f"{module.__name__}.{attr}", "signature": signature[:300], "doc": doc[:500]}


def main():
    out, packages = sys.argv[1], sys.argv[2:]
    warnings.simplefilter("ignore")
    seen = set()
    with open(out, "w") as f:
        for package in packages:
            for entry in entries(package):
                if entry["name"] not in seen:
                    seen.add(entry["name"])
                    f.write(json.dumps(entry) + "\n")
    print(f"indexed {len(seen)} names of {', '.join(packages)}", file=sys.stderr)


if __name__ == "__main__":
    main()
