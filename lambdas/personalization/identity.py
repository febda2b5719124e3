"""Who the shopper of a request is: read from the token API Gateway verified, never from the client.

Two families of routes (docs/architecture.md §4):

- anonymous (`/recommendations`, `/related`, `/rank`, `/events`): no shopper at all;
- signed in (`/me/...`): API Gateway's Cognito user-pool authorizer has checked the ID token in
  `Authorization` and passes its claims in `requestContext.authorizer.claims` (string values).

The shopper of a signed-in request is the token's `custom:shopper_id` when profile emulation is on
and the attribute is set (the storefront's Profile page writes it, to shop as one of the dataset's
shoppers), and otherwise the account's `sub`. Emulated ids are the dataset's shopper ids (decimal
numbers), so an account can emulate a dataset shopper but never another account, whose id is a
`sub` (a UUID). A `userId` sent by the client, in the query or the body, is refused with a 400.

This module is plain functions over the event's parts; `personalization.http.errors` maps its
errors to 400 and 401.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from personalization.contracts.limits import IDENTIFIER_PATTERN
from personalization.settings import ApiSettings
from personalization.usecases.errors import BadRequestError, Problem

SIGNED_IN_PREFIX = "/me"
"""The path prefix of the signed-in routes, each behind the Cognito authorizer."""
SHOPPER_ID_CLAIM = "custom:shopper_id"
"""The user-pool attribute (`shopper_id`, custom) that links an account to an emulated shopper."""
SUBJECT_CLAIM = "sub"
CLIENT_USER_ID = "userId"
"""The field no request may carry: the shopper comes from the token."""
EMULATED_SHOPPER_ID = re.compile(r"^[1-9][0-9]{0,9}$")
"""The dataset's shopper ids ("1" to "5000" by default): what `custom:shopper_id` may hold."""
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
USER_ID_REFUSED = (
    "not accepted: the shopper is the signed-in account (an Authorization token on the /me routes)"
)


class NotSignedInError(Exception):
    """A signed-in route reached without verified claims: answered 401, never served anonymously."""


def is_signed_in_path(path: str) -> bool:
    return path == SIGNED_IN_PREFIX or path.startswith(f"{SIGNED_IN_PREFIX}/")


def shopper_id_from_claims(claims: Mapping[str, Any], *, profile_emulation: bool) -> str:
    """The shopper id of a verified token's claims.

    Raises NotSignedInError when the claims hold no usable `sub`, and BadRequestError when an
    emulated shopper id is not one of the dataset's (the account wrote something else into it)."""
    subject = claims.get(SUBJECT_CLAIM)
    if not isinstance(subject, str) or not _IDENTIFIER.fullmatch(subject) or len(subject) > 256:
        raise NotSignedInError("the token's claims have no subject")
    if not profile_emulation:
        return subject
    emulated = claims.get(SHOPPER_ID_CLAIM)
    if emulated is None or emulated == "":
        return subject
    if not isinstance(emulated, str) or not EMULATED_SHOPPER_ID.fullmatch(emulated):
        raise BadRequestError(
            "the account's emulated shopper is not a shopper of the dataset",
            [Problem(field=SHOPPER_ID_CLAIM, problem="must be a dataset shopper id (digits)")],
        )
    return emulated


def reject_client_user_id(
    query: Mapping[str, Any] | None, multi_value_query: Mapping[str, Any] | None = None
) -> None:
    """A `userId` in the query string is a 400 on every route (bodies refuse it by their models)."""
    if CLIENT_USER_ID in (query or {}) or CLIENT_USER_ID in (multi_value_query or {}):
        raise BadRequestError(
            "userId is not accepted", [Problem(field=CLIENT_USER_ID, problem=USER_ID_REFUSED)]
        )


def authorizer_claims(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """`requestContext.authorizer.claims` of a REST proxy event, when the authorizer put them there."""
    context = event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    claims = authorizer.get("claims")
    return claims if isinstance(claims, Mapping) and claims else None


def shopper_of_event(event: Mapping[str, Any], *, profile_emulation: bool) -> str | None:
    """The shopper of a REST proxy event: None on an anonymous route, the token's shopper on /me/*.

    Refuses a `userId` in the query string on either family; a /me/* event without claims (an
    authorizer missing from the method) is NotSignedInError, so a misconfigured route fails closed."""
    reject_client_user_id(event.get("queryStringParameters"), event.get("multiValueQueryStringParameters"))
    path = str(event.get("resource") or event.get("path") or "")
    if not is_signed_in_path(path):
        return None
    claims = authorizer_claims(event)
    if claims is None:
        raise NotSignedInError("no verified claims on a signed-in route")
    return shopper_id_from_claims(claims, profile_emulation=profile_emulation)


def request_shopper(event: Mapping[str, Any], settings: ApiSettings) -> str | None:
    """`shopper_of_event` with the function's PROFILE_EMULATION: what each HTTP handler calls."""
    return shopper_of_event(event, profile_emulation=settings.profile_emulation)
