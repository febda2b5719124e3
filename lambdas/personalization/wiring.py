"""The composition root: the adapters each use case runs with in a function, built on first use.

Nothing is built at import, so a test can inject clients (`adapters.aws.set_client`) first.
"""

from __future__ import annotations

from functools import cache

from personalization.adapters.aws import ClientLimits, get_client
from personalization.adapters.personalize import PersonalizeRuntime
from personalization.adapters.ssm_config import config_reader
from personalization.settings import read_settings
from personalization.usecases.read import ReadDependencies


@cache
def read_dependencies() -> ReadDependencies:
    """Personalize's client takes its timeouts from the settings, so the budget and the client agree."""
    settings = read_settings()
    limits = ClientLimits(settings.personalize_connect_timeout, settings.personalize_read_timeout, attempts=1)
    runtime = PersonalizeRuntime(
        get_client("personalize-runtime", limits),
        budget_seconds=settings.personalize_budget_seconds,
        attempt_seconds=limits.connect_timeout + limits.read_timeout,
    )
    return ReadDependencies(config=config_reader(), personalize=runtime)
