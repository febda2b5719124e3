"""The CDK app: constructs and the stack that deploy the system of DESIGN section 2.

`lambdas/` is the Lambda asset root and holds the shared deployment data (functions,
routes, rule patterns, parameter names); it goes on sys.path here so the stack builds
from the same modules the local stack reads.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LAMBDAS_DIR = REPO_ROOT / "lambdas"
STOREFRONT_DIR = REPO_ROOT / "storefront"

if str(LAMBDAS_DIR) not in sys.path:
    sys.path.insert(0, str(LAMBDAS_DIR))
