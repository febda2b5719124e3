"""The composition root: the adapters each use case runs with in a function, built on first use.

Nothing is built at import, so a test can inject clients (`adapters.aws.set_client`) first.
Under Lambda SnapStart (the read functions' published versions) everything is built before the
snapshot instead, and the connections are renewed after a restore (`personalization.snapstart`).
"""

from __future__ import annotations

from functools import cache

from personalization import snapstart
from personalization.adapters.aws import ClientLimits, built_clients, get_client
from personalization.adapters.personalize import PersonalizeRuntime
from personalization.adapters.ssm_config import config_reader
from personalization.observability import logger
from personalization.settings import read_settings
from personalization.usecases.ports import ConfigUnavailableError
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


def warm_read_path() -> None:
    """Before the SnapStart snapshot: settings, clients, the configuration, the tracer."""
    dependencies = read_dependencies()
    try:
        dependencies.config.load()
    except ConfigUnavailableError:
        logger.warning("SSM unavailable before the snapshot; the first request reads it")
    snapstart.warm_tracer()


def refresh_after_restore() -> None:
    """After a restore: new connections, and the configuration read again at the first request."""
    snapstart.close_connections(built_clients())
    config_reader().refresh()


SNAPSTART_HOOKS = snapstart.register(warm_read_path, refresh_after_restore)
"""True when Lambda's SnapStart runtime took the hooks (never outside Lambda)."""
