"""The storefront's copy of the password policy (storefront/js/accounts.js) stays equal to the pool's."""

from __future__ import annotations

import re

import pytest

from personalization.contracts.accounts import PASSWORD_POLICY
from repository import STOREFRONT_DIR

pytestmark = pytest.mark.unit

ACCOUNTS_JS = (STOREFRONT_DIR / "js" / "accounts.js").read_text()


def constant(name: str) -> str:
    found = re.search(rf"export const {name} = ([^;]+);", ACCOUNTS_JS)
    assert found, name
    return found.group(1)


def test_the_storefront_states_the_pools_password_policy() -> None:
    assert int(constant("PASSWORD_MIN_LENGTH")) == PASSWORD_POLICY.min_length
    assert constant("PASSWORD_NEEDS_LOWERCASE") == str(PASSWORD_POLICY.require_lowercase).lower()
    assert constant("PASSWORD_NEEDS_UPPERCASE") == str(PASSWORD_POLICY.require_uppercase).lower()
    assert constant("PASSWORD_NEEDS_DIGIT") == str(PASSWORD_POLICY.require_digits).lower()
    assert constant("PASSWORD_NEEDS_SYMBOL") == str(PASSWORD_POLICY.require_symbols).lower()
    assert f"At least {PASSWORD_POLICY.min_length} characters" in constant("PASSWORD_RULES")
