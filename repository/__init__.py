"""Where things are in the repository: the one home of its paths.

Code is imported from the venv (`make setup` installs every package editable); these paths
are for the files that are not imported: the Lambda asset root the CDK stack bundles, the
storefront it hosts, the CDK settings, the API document.
"""

from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
LAMBDAS_DIR = REPOSITORY_ROOT / "lambdas"
"""The Lambda asset root: the shared `personalization` package and one package per function."""
STOREFRONT_DIR = REPOSITORY_ROOT / "storefront"
CDK_JSON = REPOSITORY_ROOT / "cdk.json"
OPENAPI_JSON = REPOSITORY_ROOT / "openapi.json"
DEFAULT_DATA_DIR = REPOSITORY_ROOT / ".demo-data"
