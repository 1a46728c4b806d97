"""``mlgym-nb report``: the analysis notebook executed by papermill on a sweep folder, then exported to HTML."""

from __future__ import annotations

from pathlib import Path

from ..errors import MlgymError
from ..paths import require_project
from .load import REPORT


def write_report(sweep: Path, html: Path | None = None) -> tuple[Path, Path]:
    """Run notebooks/analysis.ipynb on ``sweep``; returns the executed notebook and the HTML report (figures
    embedded, code hidden) next to it."""
    import nbformat
    import papermill
    from nbconvert import HTMLExporter
    from papermill.exceptions import PapermillExecutionError

    if not sweep.is_dir() or not any(sweep.rglob("*.ipynb")):
        raise MlgymError(f"{sweep}: no episode notebooks here; run `mlgym-nb bench ... {sweep}` first")
    template = require_project("mlgym-nb report") / "notebooks" / "analysis.ipynb"
    notebook = sweep / REPORT
    html = html or sweep / "report.html"
    try:
        papermill.execute_notebook(str(template), str(notebook), parameters={"sweep_dir": str(sweep.resolve())},
                                   kernel_name="python3", progress_bar=False, cwd=str(sweep))
    except PapermillExecutionError as exc:
        raise MlgymError(f"the analysis notebook failed at cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
                         f"(see {notebook})") from None
    body, _resources = HTMLExporter(exclude_input=True).from_notebook_node(nbformat.read(notebook, as_version=4))
    html.write_text(body)
    return notebook, html
