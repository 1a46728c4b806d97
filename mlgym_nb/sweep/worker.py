"""A sweep's worker process: runs one episode and writes its summary line (started by LocalExecutor).

Usage: python -m mlgym_nb.sweep.worker SPEC_JSON NOTEBOOK RESULT_JSON
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ..errors import MlgymError
from .run import run_spec
from .spec import EpisodeSpec


def main() -> int:
    spec_json, notebook, result = sys.argv[1:4]
    spec = EpisodeSpec.model_validate_json(spec_json)
    summary = run_spec(spec, Path(notebook))
    tmp = Path(result).with_suffix(".tmp")
    tmp.write_text(json.dumps(summary))
    os.replace(tmp, result)  # the driver sees a whole line or none
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except MlgymError as exc:  # the driver shows the last line of the log
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
