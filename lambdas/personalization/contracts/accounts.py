"""Shopper accounts (docs/architecture.md §4): the Cognito user pool and app client, as plain data.

The CDK stack (`infra.accounts`) and the local twin (`local.cognito`) build the same pool from
these values; the functions only read the token claims `personalization.identity` names.
"""

from __future__ import annotations

from dataclasses import dataclass

SHOPPER_ID_ATTRIBUTE = "shopper_id"
"""Custom attribute (`custom:shopper_id`, a mutable string): the dataset shopper an account emulates."""
SHOPPER_ID_MAX_LENGTH = 10
"""The dataset's shopper ids are decimal numbers of at most 10 digits (`identity.EMULATED_SHOPPER_ID`)."""


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int
    require_lowercase: bool
    require_uppercase: bool
    require_digits: bool
    require_symbols: bool
    temporary_password_days: int


PASSWORD_POLICY = PasswordPolicy(
    min_length=10,
    require_lowercase=True,
    require_uppercase=True,
    require_digits=True,
    require_symbols=False,
    temporary_password_days=3,
)
"""Length over symbol rules (as NIST SP 800-63B advises): at least 10 characters with a lower-case
letter, a capital and a digit. Cognito refuses other passwords at sign-up; the storefront says so."""

ID_TOKEN_MINUTES = 60
ACCESS_TOKEN_MINUTES = 60
"""ID and access tokens live an hour (Cognito's default, and what moto issues): a sign-out revokes the
refresh token at once, but an ID token already issued passes API Gateway until it expires."""
REFRESH_TOKEN_HOURS = 24
"""The storefront keeps tokens in sessionStorage (gone with the tab) and refreshes the ID token
before it expires: a tab left open stays signed in for a day."""
AUTH_SESSION_MINUTES = 3
"""How long a sign-in's challenge session lasts (SRP's two steps)."""

SRP_AUTH = "ALLOW_USER_SRP_AUTH"
REFRESH_AUTH = "ALLOW_REFRESH_TOKEN_AUTH"
PASSWORD_AUTH = "ALLOW_USER_PASSWORD_AUTH"  # noqa: S105 (an auth flow's name)
DEPLOYED_AUTH_FLOWS = (SRP_AUTH, REFRESH_AUTH)
"""The app client in AWS: SRP (the password never leaves the browser) and refresh tokens."""
LOCAL_AUTH_FLOWS = (SRP_AUTH, REFRESH_AUTH, PASSWORD_AUTH)
"""The twin adds USER_PASSWORD_AUTH, and its storefront signs in with it: moto answers SRP's
challenge without checking the password proof, while USER_PASSWORD_AUTH does check the password."""


def read_attributes(profile_emulation: bool) -> tuple[str, ...]:
    """What the app client may read (and so what the ID token carries)."""
    base = ("email", "email_verified")
    return (*base, f"custom:{SHOPPER_ID_ATTRIBUTE}") if profile_emulation else base


def write_attributes(profile_emulation: bool) -> tuple[str, ...]:
    """What a shopper may write through the app client: the email at sign-up, and the emulated
    shopper only when profile emulation is on (otherwise no account can choose whom it shops as)."""
    return ("email", f"custom:{SHOPPER_ID_ATTRIBUTE}") if profile_emulation else ("email",)
