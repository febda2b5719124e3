"""Benchmarks and the offline quality evaluation (`python -m bench`, `make bench`).

The handlers import `common` from the Lambda asset root, as in AWS; the benchmarks run
from the repository root, so that folder is put on the import path here once.
"""

import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
LAMBDAS = REPOSITORY / "lambdas"

if str(LAMBDAS) not in sys.path:
    sys.path.insert(0, str(LAMBDAS))
