"""The whole system on one machine, without an AWS account (DESIGN section 9).

`lambdas/` (the functions' asset root, home of `common`) joins the import path here, so
every `python -m local.<module>` imports the shared code as the functions do.
"""

import sys
from pathlib import Path

LAMBDAS_DIR = Path(__file__).resolve().parent.parent / "lambdas"
if str(LAMBDAS_DIR) not in sys.path:
    sys.path.append(str(LAMBDAS_DIR))
