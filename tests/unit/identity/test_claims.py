"""The shopper of a request comes from the verified token's claims, never from the client."""

from __future__ import annotations

import uuid

import pytest

from personalization.identity import (
    SHOPPER_ID_CLAIM,
    NotSignedInError,
    authorizer_claims,
    is_signed_in_path,
    reject_client_user_id,
    shopper_id_from_claims,
    shopper_of_event,
)
from personalization.usecases.errors import BadRequestError
from tests.apigw import rest_event

pytestmark = pytest.mark.unit

SUB = str(uuid.UUID(int=7))


def claims(**extra: str) -> dict[str, str]:
    """Claims as API Gateway's Cognito authorizer passes them: every value a string."""
    return {"sub": SUB, "token_use": "id", "email": "a@example.com", "email_verified": "true", **extra}


def signed_in_event(path: str, token_claims: dict[str, str] | None, **kwargs: object) -> dict:
    event = rest_event("GET", path, **kwargs)  # type: ignore[arg-type]
    if token_claims is not None:
        event["requestContext"]["authorizer"] = {"claims": token_claims}
    return event


def test_without_emulation_the_shopper_is_the_subject_even_with_the_attribute_set() -> None:
    assert shopper_id_from_claims(claims(), profile_emulation=False) == SUB
    assert shopper_id_from_claims(claims(**{SHOPPER_ID_CLAIM: "42"}), profile_emulation=False) == SUB


def test_with_emulation_the_attribute_wins_when_set() -> None:
    assert shopper_id_from_claims(claims(**{SHOPPER_ID_CLAIM: "42"}), profile_emulation=True) == "42"


@pytest.mark.parametrize("unset", [None, ""])
def test_with_emulation_and_no_attribute_the_shopper_is_the_subject(unset: str | None) -> None:
    token = claims() if unset is None else claims(**{SHOPPER_ID_CLAIM: unset})
    assert shopper_id_from_claims(token, profile_emulation=True) == SUB


@pytest.mark.parametrize(
    "emulated",
    [str(uuid.uuid4()), "0", "007", "42 ", "4a", "12345678901", "../1", "-1"],
)
def test_an_emulated_id_must_be_a_dataset_shopper_so_no_account_can_become_another(emulated: str) -> None:
    with pytest.raises(BadRequestError) as raised:
        shopper_id_from_claims(claims(**{SHOPPER_ID_CLAIM: emulated}), profile_emulation=True)
    assert raised.value.problems[0].field == SHOPPER_ID_CLAIM


@pytest.mark.parametrize("bad", [{}, {"sub": ""}, {"sub": "a b"}, {"sub": "x" * 257}])
def test_claims_without_a_usable_subject_are_not_a_sign_in(bad: dict[str, str]) -> None:
    with pytest.raises(NotSignedInError):
        shopper_id_from_claims(bad, profile_emulation=True)


def test_signed_in_paths() -> None:
    assert is_signed_in_path("/me/recommendations")
    assert is_signed_in_path("/me")
    assert not is_signed_in_path("/recommendations")
    assert not is_signed_in_path("/meals")


def test_an_anonymous_route_has_no_shopper_even_with_claims() -> None:
    event = signed_in_event("/recommendations", claims())
    assert shopper_of_event(event, profile_emulation=True) is None


def test_a_signed_in_route_takes_the_shopper_from_the_claims() -> None:
    event = signed_in_event("/me/recommendations", claims(**{SHOPPER_ID_CLAIM: "9"}))
    assert authorizer_claims(event) is not None
    assert shopper_of_event(event, profile_emulation=True) == "9"
    assert shopper_of_event(event, profile_emulation=False) == SUB


def test_a_signed_in_route_without_claims_fails_closed() -> None:
    with pytest.raises(NotSignedInError):
        shopper_of_event(signed_in_event("/me/related", None), profile_emulation=True)


@pytest.mark.parametrize("path", ["/recommendations", "/me/recommendations", "/related", "/me/related"])
def test_a_user_id_in_the_query_is_refused_on_either_family(path: str) -> None:
    event = signed_in_event(path, claims(), query={"userId": "1", "itemId": "p1"})
    with pytest.raises(BadRequestError) as raised:
        shopper_of_event(event, profile_emulation=True)
    assert raised.value.problems[0].field == "userId"


def test_an_empty_user_id_is_refused_too() -> None:
    with pytest.raises(BadRequestError):
        reject_client_user_id(None, {"userId": [""]})
