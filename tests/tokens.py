"""ID tokens of the local stack's user pool, for tests that call the signed-in routes (/me/*).

`shopper_token(stack, "7")` signs up (once) an account of its own for shopper 7, links it to that
dataset shopper (`custom:shopper_id`, as the Profile page does) and returns the refreshed ID token;
without a shopper id the account shops as itself (its `sub`). Tokens are kept per stack and shopper.
"""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from local.cognito import DEMO_PASSWORD, cognito_client, emulate, sign_in


@cache
def _client(endpoint: str, region: str) -> Any:
    return cognito_client(endpoint, region)


_tokens: dict[tuple[str, str | None], str] = {}


def account_tokens(described: dict[str, Any], email: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """Signs the account up (confirmed at once by the twin) unless it exists, then signs it in."""
    cognito = _client(described["endpoint"], described["region"])
    try:
        cognito.sign_up(
            ClientId=described["clientId"],
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "UsernameExistsException":
            raise
    return sign_in(cognito, described["clientId"], email, password)


def shopper_token(described: dict[str, Any], shopper_id: str | None = None) -> str:
    """An ID token whose shopper is dataset shopper `shopper_id`, or a fresh account's own `sub`."""
    key = (described["userPoolId"], shopper_id)
    if key not in _tokens:
        email = f"shopper-{shopper_id or uuid.uuid4().hex[:12]}@example.com"
        tokens = account_tokens(described, email)
        cognito = _client(described["endpoint"], described["region"])
        _tokens[key] = (
            tokens["IdToken"]
            if shopper_id is None
            else emulate(cognito, described["clientId"], tokens, shopper_id)
        )
    return _tokens[key]


def signed_in(described: dict[str, Any], shopper_id: str | None = None) -> dict[str, str]:
    """The headers of a signed-in call."""
    return {"Authorization": shopper_token(described, shopper_id)}
