"""Provisioning: takes a generated dataset into Amazon Personalize and turns personalization on.

`python -m provision up|down|status` (see `provision.__main__`). The resources are a list of
steps (`provision.resources.build_stages`) run by one small engine (`provision.engine`).
"""

import sys
from pathlib import Path

LAMBDAS = Path(__file__).resolve().parents[1] / "lambdas"
"""The shared code (`common`: parameter names, filters) lives in the Lambda asset root."""
if str(LAMBDAS) not in sys.path:
    sys.path.insert(0, str(LAMBDAS))
