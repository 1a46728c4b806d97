"""IPython extension loaded in every task kernel: `%validate` and `%submit` outside the harness.

In an episode these cells are handled by NotebookEnv, which grades the workspace in the grader's
sandbox and never sends them to the kernel. When an episode notebook is re-executed by plain
papermill, nbconvert or JupyterLab, they reach the kernel: these magics say so instead of failing.
"""


def _not_graded(name):
    def magic(line=""):
        print(f"[mlgym] %{name} is an action of the mlgym harness: nothing was graded here. "
              f"Re-execute episodes with `mlgym-nb rerun` to grade them.")

    magic.__name__ = name
    return magic


def load_ipython_extension(ipython):
    for name in ("validate", "submit"):
        ipython.register_magic_function(_not_graded(name), magic_kind="line", magic_name=name)
