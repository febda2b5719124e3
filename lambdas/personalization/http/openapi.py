"""The OpenAPI document of the HTTP API, generated from the handlers' models.

`python -m personalization.http.openapi > openapi.json` (`make openapi`); a test fails when the
committed file differs from what the handlers declare.
"""

import importlib
import json
import sys
from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

from personalization.contracts.topology import ROUTES

TITLE = "Retail personalization API"
VERSION = "1.0.0"
SECURITY_SCHEMES = {
    "cognito": APIKey(
        name="Authorization",
        in_=APIKeyIn.header,
        description=(
            "The Cognito user pool's ID token, as is (no scheme), checked by API Gateway's Cognito "
            "user-pool authorizer: signature, issuer, audience, expiry. A missing or invalid token is 401."
        ),
    )
}
AUTHORIZER_EXTENSION = {"x-amazon-apigateway-authtype": "cognito_user_pools"}


def openapi_document() -> dict[str, Any]:
    """One document for all routes: each function's resolver contributes its paths and schemas."""
    document: dict[str, Any] = {}
    for module_name in dict.fromkeys(f"{route.function.name}.handler" for route in ROUTES):
        app = importlib.import_module(module_name).app
        schema = json.loads(
            app.get_openapi_json_schema(title=TITLE, version=VERSION, security_schemes=SECURITY_SCHEMES)
        )
        if not document:
            document = schema
            continue
        document["paths"].update(schema.get("paths", {}))
        document.setdefault("components", {}).setdefault("schemas", {}).update(
            schema.get("components", {}).get("schemas", {})
        )
    document["paths"] = dict(sorted(document["paths"].items()))
    document["components"]["securitySchemes"]["cognito"].update(AUTHORIZER_EXTENSION)
    _drop_unused_validation_error(document)
    return document


def _drop_unused_validation_error(document: dict[str, Any]) -> None:
    """Powertools documents a 422 for validation errors; our error mapping answers those with 400."""
    for operations in document["paths"].values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)


def render() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
