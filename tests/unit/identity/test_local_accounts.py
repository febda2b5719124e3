"""The twin's user pool: the stack's pool from the same values, sign-ups confirmed at once,
and `custom:shopper_id` writable only with profile emulation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from local.cognito import DEMO_PASSWORD, create_accounts
from personalization.contracts.accounts import PASSWORD_POLICY, SHOPPER_ID_ATTRIBUTE

pytestmark = pytest.mark.unit

SHOPPER_ID = f"custom:{SHOPPER_ID_ATTRIBUTE}"


@pytest.fixture
def cognito() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("cognito-idp", region_name="us-east-1")


def sign_in(cognito: Any, client_id: str, email: str, password: str) -> dict[str, str]:
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    result: dict[str, str] = answer["AuthenticationResult"]
    return result


def test_the_pool_signs_in_by_email_with_the_policy_and_the_attribute(cognito: Any) -> None:
    accounts = create_accounts(cognito, "http://moto", "us-east-1", profile_emulation=True)
    pool = cognito.describe_user_pool(UserPoolId=accounts.user_pool_id)["UserPool"]
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == PASSWORD_POLICY.min_length
    attribute = next(a for a in pool["SchemaAttributes"] if a["Name"] == SHOPPER_ID)
    assert attribute["Mutable"] is True
    assert attribute["AttributeDataType"] == "String"
    assert accounts.endpoints_entry() == {
        "userPoolId": accounts.user_pool_id,
        "clientId": accounts.client_id,
        "region": "us-east-1",
    }
    assert accounts.jwks_url == f"http://moto/{accounts.user_pool_id}/.well-known/jwks.json"


def test_a_sign_up_is_confirmed_at_once_and_can_sign_in(cognito: Any) -> None:
    accounts = create_accounts(cognito, "http://moto", "us-east-1", profile_emulation=True)
    answer = cognito.sign_up(
        ClientId=accounts.client_id,
        Username="new@example.com",
        Password="Abcdefghij1",
        UserAttributes=[{"Name": "email", "Value": "new@example.com"}],
    )
    assert answer["UserConfirmed"] is True
    assert sign_in(cognito, accounts.client_id, "new@example.com", "Abcdefghij1")["IdToken"]


def test_a_password_outside_the_policy_is_refused(cognito: Any) -> None:
    accounts = create_accounts(cognito, "http://moto", "us-east-1", profile_emulation=True)
    with pytest.raises(ClientError, match="InvalidPassword"):
        cognito.sign_up(ClientId=accounts.client_id, Username="weak@example.com", Password="short1A")


def test_the_demo_account_signs_in_with_its_password_only(cognito: Any) -> None:
    accounts = create_accounts(cognito, "http://moto", "us-east-1", profile_emulation=True)
    assert sign_in(cognito, accounts.client_id, accounts.demo_email, DEMO_PASSWORD)["AccessToken"]
    with pytest.raises(ClientError, match="NotAuthorized"):
        sign_in(cognito, accounts.client_id, accounts.demo_email, "Wrong-password-1")


@pytest.mark.parametrize("profile_emulation", [True, False])
def test_the_emulated_shopper_is_writable_only_with_profile_emulation(
    cognito: Any, profile_emulation: bool
) -> None:
    accounts = create_accounts(cognito, "http://moto", "us-east-1", profile_emulation=profile_emulation)
    client = cognito.describe_user_pool_client(UserPoolId=accounts.user_pool_id, ClientId=accounts.client_id)
    assert (SHOPPER_ID in client["UserPoolClient"]["WriteAttributes"]) is profile_emulation
    tokens = sign_in(cognito, accounts.client_id, accounts.demo_email, DEMO_PASSWORD)

    def write() -> None:
        cognito.update_user_attributes(
            AccessToken=tokens["AccessToken"], UserAttributes=[{"Name": SHOPPER_ID, "Value": "7"}]
        )

    if profile_emulation:
        write()
    else:
        with pytest.raises(ClientError, match="unauthorized attribute"):
            write()
