"""Lambda SnapStart: what the read functions warm before the snapshot and refresh after a restore.

With SnapStart on a published version (the stack's `live` alias, which the API integrates with),
Lambda runs the init phase once, when the version is published, and snapshots the environment;
each cold start restores that snapshot instead of importing and building everything again. The
hooks come from the `snapshot_restore_py` module of Lambda's Python runtime. Outside Lambda (the
tests, the local twin) it does not exist and the hooks are not registered; nothing else changes.

- before the snapshot (`warm`): the settings, the boto3 clients (building one costs tens of
  milliseconds), the configuration from SSM, the tracer (X-Ray's SDK and botocore patching, when
  tracing is on), so a restored environment answers its first request at warm speed;
- after a restore (`refresh`): the connections the clients opened before the snapshot are closed
  (a restored environment's sockets are dead), and the configuration is read again at the first
  request (the snapshot may be days old; its TTL is measured from a clock that moved on anyway,
  but an explicit refresh also picks up a parameter changed a second ago).

Uniqueness: nothing random is drawn at init (event ids are uuid4, from the OS, per request).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from personalization.observability import logger, tracer

Hook = Callable[[], None]


def runtime_hooks() -> tuple[Callable[[Hook], Any], Callable[[Hook], Any]] | None:
    """`register_before_snapshot` and `register_after_restore` of Lambda's runtime, when it has them."""
    try:
        from snapshot_restore_py import (  # type: ignore[import-not-found, unused-ignore]
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return None
    return register_before_snapshot, register_after_restore


def register(warm: Hook, refresh: Hook) -> bool:
    """Register the two hooks with the runtime; False where there is no SnapStart runtime."""
    hooks = runtime_hooks()
    if hooks is None:
        return False
    before_snapshot, after_restore = hooks
    before_snapshot(_guarded("before snapshot", warm))
    after_restore(_guarded("after restore", refresh))
    return True


def _guarded(phase: str, hook: Hook) -> Hook:
    """A failing hook must not fail the version's publication or the restore: the first request
    then does the same work itself, as a function without SnapStart does."""

    def run() -> None:
        try:
            hook()
        except Exception:
            logger.warning(f"SnapStart {phase} hook failed; the first request does its work", exc_info=True)

    return run


def warm_tracer() -> None:
    if tracer.enabled:
        _ = tracer.tracer


def close_connections(clients: dict[str, Any]) -> None:
    """Drop the clients' pooled connections (botocore opens new ones on the next call)."""
    for client in clients.values():
        session = getattr(getattr(client, "_endpoint", None), "http_session", None)
        close = getattr(session, "close", None)
        if callable(close):
            close()
