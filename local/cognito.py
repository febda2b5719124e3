"""The twin's shopper accounts: a Cognito user pool in the stack's moto server (`cognito-idp`).

`create_accounts` creates what `infra.accounts` creates in AWS, from the same values
(`personalization.contracts.accounts`): a pool signing in by email with the password policy and
the `shopper_id` custom attribute, and an app client without secret whose write attributes
include `custom:shopper_id` only with profile emulation. Then it creates the demo account.

What moto does not do, the twin adds to the moto of this process (the demo runs moto in a thread),
for the twin's pools only:

- sign-ups are confirmed at once, as a pre-sign-up Lambda trigger answering `autoConfirmUser` and
  `autoVerifyEmail` would (moto runs no triggers, and no verification email can be sent locally):
  SignUp answers `UserConfirmed: true` and the account can sign in straight away;
- UpdateUserAttributes refuses an attribute the app client may not write (moto lets any through),
  so without profile emulation no account can set `custom:shopper_id`, as in AWS.

The storefront signs in locally with USER_PASSWORD_AUTH: moto's SRP answers its challenge without
checking the password proof (`contracts.accounts.LOCAL_AUTH_FLOWS`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from personalization.contracts.accounts import (
    ACCESS_TOKEN_MINUTES,
    AUTH_SESSION_MINUTES,
    ID_TOKEN_MINUTES,
    LOCAL_AUTH_FLOWS,
    PASSWORD_POLICY,
    REFRESH_TOKEN_HOURS,
    SHOPPER_ID_ATTRIBUTE,
    SHOPPER_ID_MAX_LENGTH,
    read_attributes,
    write_attributes,
)

POOL_NAME = "retail-personalization-shoppers"
CLIENT_NAME = "storefront"
DEMO_EMAIL = "demo@northwind.example"
DEMO_PASSWORD = "Northwind-demo-2026"  # noqa: S105 (the local twin's printed demo account)
"""The demo account `make demo` creates and prints: a local twin's account, never a deployment's."""
LOCAL_SIGN_IN_FLOW = "USER_PASSWORD_AUTH"

_AUTO_CONFIRMED_POOLS: set[str] = set()
_PATCH_LOCK = threading.Lock()
_PATCHED = False


@dataclass(frozen=True)
class LocalAccounts:
    """Where the twin's user pool is, and what the storefront and the gateway need of it."""

    region: str
    user_pool_id: str
    client_id: str
    endpoint: str
    """moto's URL: Cognito's API (POST /) and the pool's keys (/<pool id>/.well-known/jwks.json)."""
    demo_email: str = DEMO_EMAIL
    demo_password: str = DEMO_PASSWORD

    @property
    def jwks_url(self) -> str:
        return f"{self.endpoint}/{self.user_pool_id}/.well-known/jwks.json"

    def endpoints_entry(self) -> dict[str, str]:
        """`endpoints.json`'s `cognito`."""
        return {"userPoolId": self.user_pool_id, "clientId": self.client_id, "region": self.region}

    def storefront_config(self) -> dict[str, str]:
        """`config.json`'s `cognito`: what the browser needs to sign up and sign in."""
        return {
            "region": self.region,
            "userPoolId": self.user_pool_id,
            "clientId": self.client_id,
            "endpoint": f"{self.endpoint}/",
            "authFlow": LOCAL_SIGN_IN_FLOW,
        }


def user_pool_arguments(name: str = POOL_NAME) -> dict[str, Any]:
    """CreateUserPool's arguments: the pool `infra.accounts` defines."""
    policy = PASSWORD_POLICY
    return {
        "PoolName": name,
        "UsernameAttributes": ["email"],
        "AutoVerifiedAttributes": ["email"],
        "Policies": {
            "PasswordPolicy": {
                "MinimumLength": policy.min_length,
                "RequireLowercase": policy.require_lowercase,
                "RequireUppercase": policy.require_uppercase,
                "RequireNumbers": policy.require_digits,
                "RequireSymbols": policy.require_symbols,
                "TemporaryPasswordValidityDays": policy.temporary_password_days,
            }
        },
        "Schema": [
            {
                "Name": SHOPPER_ID_ATTRIBUTE,
                "AttributeDataType": "String",
                "Mutable": True,
                "StringAttributeConstraints": {"MinLength": "0", "MaxLength": str(SHOPPER_ID_MAX_LENGTH)},
            }
        ],
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        "DeletionProtection": "INACTIVE",
    }


def user_pool_client_arguments(user_pool_id: str, *, profile_emulation: bool) -> dict[str, Any]:
    return {
        "UserPoolId": user_pool_id,
        "ClientName": CLIENT_NAME,
        "GenerateSecret": False,
        "ExplicitAuthFlows": list(LOCAL_AUTH_FLOWS),
        "ReadAttributes": list(read_attributes(profile_emulation)),
        "WriteAttributes": list(write_attributes(profile_emulation)),
        "IdTokenValidity": ID_TOKEN_MINUTES,
        "AccessTokenValidity": ACCESS_TOKEN_MINUTES,
        "RefreshTokenValidity": REFRESH_TOKEN_HOURS,
        "TokenValidityUnits": {"IdToken": "minutes", "AccessToken": "minutes", "RefreshToken": "hours"},
        "AuthSessionValidity": AUTH_SESSION_MINUTES,
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
    }


def create_accounts(cognito: Any, endpoint: str, region: str, *, profile_emulation: bool) -> LocalAccounts:
    """The pool, its app client and the demo account, in the moto of this process."""
    install_twin_behaviour()
    user_pool_id: str = cognito.create_user_pool(**user_pool_arguments())["UserPool"]["Id"]
    with _PATCH_LOCK:
        _AUTO_CONFIRMED_POOLS.add(user_pool_id)
    client_id: str = cognito.create_user_pool_client(
        **user_pool_client_arguments(user_pool_id, profile_emulation=profile_emulation)
    )["UserPoolClient"]["ClientId"]
    accounts = LocalAccounts(region=region, user_pool_id=user_pool_id, client_id=client_id, endpoint=endpoint)
    cognito.sign_up(
        ClientId=client_id,
        Username=accounts.demo_email,
        Password=accounts.demo_password,
        UserAttributes=[{"Name": "email", "Value": accounts.demo_email}],
    )
    return accounts


def cognito_client(endpoint: str, region: str) -> Any:
    """A Cognito client of the twin's moto (the calls a browser makes need no real credentials)."""
    import boto3

    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 (moto takes any credentials)
    )


def sign_in(cognito: Any, client_id: str, email: str, password: str) -> dict[str, str]:
    """The account's tokens (USER_PASSWORD_AUTH, as the twin's storefront signs in)."""
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow=LOCAL_SIGN_IN_FLOW,
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    result: dict[str, str] = answer["AuthenticationResult"]
    return result


def emulate(cognito: Any, client_id: str, tokens: dict[str, str], shopper_id: str) -> str:
    """Links the signed-in account to a dataset shopper, as the Profile page does; the new ID token."""
    cognito.update_user_attributes(
        AccessToken=tokens["AccessToken"],
        UserAttributes=[{"Name": f"custom:{SHOPPER_ID_ATTRIBUTE}", "Value": shopper_id}],
    )
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )
    id_token: str = answer["AuthenticationResult"]["IdToken"]
    return id_token


def demo_id_token(described: dict[str, Any], shopper_id: str | None = None) -> str:
    """An ID token of the demo account, emulating `shopper_id` when given; `described` is the
    `cognito` entry of `python -m local.demo --json` (for benchmarks and tests)."""
    cognito = cognito_client(described["endpoint"], described["region"])
    tokens = sign_in(cognito, described["clientId"], described["demoEmail"], described["demoPassword"])
    if shopper_id is None:
        return tokens["IdToken"]
    return emulate(cognito, described["clientId"], tokens, shopper_id)


def account_id_token(accounts: LocalAccounts, email: str, password: str = DEMO_PASSWORD) -> str:
    """An ID token of a new account of the twin's pool (signed up, confirmed at once, signed in)."""
    cognito = cognito_client(accounts.endpoint, accounts.region)
    cognito.sign_up(
        ClientId=accounts.client_id,
        Username=email,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    return sign_in(cognito, accounts.client_id, email, password)["IdToken"]


def install_twin_behaviour() -> None:
    """Auto-confirmed sign-ups and enforced write attributes, in this process's moto (idempotent)."""
    global _PATCHED  # noqa: PLW0603 (one patch per process)
    with _PATCH_LOCK:
        if _PATCHED:
            return
        _PATCHED = True
    from moto.cognitoidp.exceptions import NotAuthorizedError
    from moto.cognitoidp.models import CognitoIdpBackend, UserStatus

    original_sign_up = CognitoIdpBackend.sign_up
    original_update = CognitoIdpBackend.update_user_attributes

    def sign_up(self: Any, client_id: str, username: str, password: str, attributes: Any) -> Any:
        user, details = original_sign_up(self, client_id, username, password, attributes)
        if user.user_pool_id in _AUTO_CONFIRMED_POOLS:
            # The pre-sign-up trigger's answer: {"autoConfirmUser": true, "autoVerifyEmail": true}.
            user.status = UserStatus.CONFIRMED
            user.update_attributes([{"Name": "email_verified", "Value": "true"}])
            return user, None
        return user, details

    def update_user_attributes(self: Any, access_token: str, attributes: list[dict[str, str]]) -> None:
        for pool in self.user_pools.values():
            if pool.id in _AUTO_CONFIRMED_POOLS and access_token in pool.access_tokens:
                client_id, _ = pool.access_tokens[access_token]
                allowed = set(pool.clients[client_id].extended_config.get("WriteAttributes") or [])
                refused = sorted({attribute["Name"] for attribute in attributes} - allowed)
                if refused:
                    raise NotAuthorizedError(
                        f"A client attempted to write unauthorized attribute {', '.join(refused)}"
                    )
        original_update(self, access_token, attributes)

    CognitoIdpBackend.sign_up = sign_up  # type: ignore[method-assign]
    CognitoIdpBackend.update_user_attributes = update_user_attributes  # type: ignore[method-assign]
