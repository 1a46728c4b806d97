"""nbconvert configuration that makes the student version of the course: the solutions go, the exercises stay.

    jupyter nbconvert --config notebooks/course/student.py --to notebook --output-dir student/ notebooks/course/*.ipynb

Every cell tagged ``solution`` (in the cell's ``metadata.tags``) is removed, outputs and all; every other cell is kept,
in order, with its outputs cleared, so that a copy executed with papermill gives nothing away either. The student
notebooks still run top to bottom: no later cell depends on a solution.
"""

c = get_config()  # noqa: F821 - defined by the traitlets config loader that reads this file

c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = {"solution"}
c.ClearOutputPreprocessor.enabled = True
