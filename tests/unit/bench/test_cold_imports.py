"""What a cold start pays for: a read handler, imported by a fresh interpreter, loads only what
its requests need (the cold-start bench measures the time; this checks the modules)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from repository import REPOSITORY_ROOT

pytestmark = pytest.mark.unit

NEVER_LOADED = (
    "boto3",  # the clients are botocore's
    "s3transfer",
    "aws_xray_sdk",  # the tracer is built where tracing is on, at the first request
    "aws_lambda_powertools.utilities.parameters",  # the SSM reader is ours
    "personalization.contracts.events",  # the event schema is the event path's
    "asyncio",  # Powertools' AppSync resolver's (personalization.lazy_packages)
    "aws_lambda_powertools.event_handler.appsync",
    "aws_lambda_powertools.utilities.data_classes.sqs_event",
)


def fresh_interpreter(script: str) -> object:
    """What `script` prints last, as JSON, run by a new interpreter that finds the functions' code."""
    environment = {**os.environ, "PYTHONPATH": f"{REPOSITORY_ROOT / 'lambdas'}{os.pathsep}{REPOSITORY_ROOT}"}
    completed = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(completed.stdout.splitlines()[-1])


@pytest.mark.parametrize("function", ["recommend", "related", "rank"])
def test_a_read_handler_imports_no_module_its_requests_never_use(function: str) -> None:
    script = (
        f"import json, sys; import {function}.handler; "
        f"print(json.dumps([m for m in {list(NEVER_LOADED)!r} if m in sys.modules]))"
    )

    assert fresh_interpreter(script) == []


SAME_NAMES = """
import importlib, json, sys
import recommend.handler
deferred = ["aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes"]
packages = {name: sys.modules[name] for name in deferred}
names = {name: list(package.__all__) for name, package in packages.items()}
lazy = {name: {n: getattr(packages[name], n) for n in names[name]} for name in deferred}
for module in [m for m in sys.modules if m.startswith(tuple(deferred))]:
    del sys.modules[module]
eager = {name: importlib.import_module(name) for name in deferred}
print(json.dumps({
    name: sorted(set(eager[name].__all__) ^ set(names[name]))
    + [n for n, value in lazy[name].items() if value.__qualname__ != getattr(eager[name], n).__qualname__]
    for name in deferred
}))
"""


def test_the_deferred_packages_offer_every_name_their_init_does() -> None:
    differences = fresh_interpreter(SAME_NAMES)

    assert differences == {
        "aws_lambda_powertools.event_handler": [],
        "aws_lambda_powertools.utilities.data_classes": [],
    }


def test_a_package_whose_init_does_more_than_import_runs_it() -> None:
    from personalization.lazy_packages import imported_names

    assert imported_names('"""doc"""\nfrom .a import B\n__all__ = ["B"]\n', "p") == ({"B": "p.a"}, ["B"])
    with pytest.raises(ValueError, match="more than import"):
        imported_names("from .a import B\nB.setup()\n", "p")
