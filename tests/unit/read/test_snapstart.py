"""SnapStart hooks: registered only where Lambda's runtime offers them; warm before, refresh after."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

import pytest

from personalization import snapstart, wiring
from personalization.adapters import aws
from personalization.adapters.ssm_config import config_reader
from personalization.contracts import parameters
from tests.unit.read.conftest import CONFIGURED

pytestmark = pytest.mark.unit


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Callable[[], None]]]:
    """A stand-in for the runtime's `snapshot_restore_py` that records the hooks registered."""
    hooks: dict[str, list[Callable[[], None]]] = {"before": [], "after": []}
    module = types.ModuleType("snapshot_restore_py")
    module.register_before_snapshot = hooks["before"].append  # type: ignore[attr-defined]
    module.register_after_restore = hooks["after"].append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", module)
    return hooks


def test_outside_lambda_there_is_no_runtime_and_nothing_is_registered() -> None:
    assert snapstart.runtime_hooks() is None
    assert wiring.SNAPSTART_HOOKS is False


def test_the_hooks_warm_the_read_path_before_the_snapshot(
    runtime: dict[str, list[Callable[[], None]]], configured: Callable[[dict[str, str]], None]
) -> None:
    assert snapstart.register(wiring.warm_read_path, wiring.refresh_after_restore)
    [before], [_after] = runtime["before"], runtime["after"]

    before()

    assert {"ssm", "personalize-runtime"} <= set(aws.built_clients())
    assert config_reader().load().featured_item_ids == tuple(
        CONFIGURED[parameters.FEATURED_ITEM_IDS].split(",")
    )


def test_after_a_restore_the_connections_are_renewed_and_the_configuration_read_again(
    runtime: dict[str, list[Callable[[], None]]],
    configured: Callable[[dict[str, str]], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    snapstart.register(wiring.warm_read_path, wiring.refresh_after_restore)
    runtime["before"][0]()
    closed: list[str] = []
    for service, client in aws.built_clients().items():
        monkeypatch.setattr(client._endpoint.http_session, "close", lambda s=service: closed.append(s))
    configured({parameters.FEATURED_ITEM_IDS: "after-restore"})

    runtime["after"][0]()

    assert {"ssm", "personalize-runtime"} <= set(closed)
    assert config_reader().load().featured_item_ids == ("after-restore",)


def test_a_failing_hook_leaves_the_work_to_the_first_request(runtime: dict[str, list[Any]]) -> None:
    def broken() -> None:
        raise RuntimeError("SSM is down")

    snapstart.register(broken, broken)

    runtime["before"][0]()
    runtime["after"][0]()
