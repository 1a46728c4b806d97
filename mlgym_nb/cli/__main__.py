"""`python -m mlgym_nb.cli`: the same as `mlgym-nb`."""

import sys

from . import main

sys.exit(main())
