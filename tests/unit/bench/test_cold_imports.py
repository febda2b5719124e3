"""What a cold start pays for: a read handler, imported by a fresh interpreter, loads only what
its requests need (the cold-start bench measures the time; this checks the modules)."""

from __future__ import annotations

import json
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
    """What `script` prints last, as JSON, run by a new interpreter of this venv (the functions'
    code is installed in it)."""
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPOSITORY_ROOT,
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


CONCURRENT_FIRST_USES = """
import json, threading
import recommend.handler
names = [
    ("aws_lambda_powertools.event_handler", "APIGatewayRestResolver"),
    ("aws_lambda_powertools.event_handler", "Response"),
    ("aws_lambda_powertools.event_handler", "content_types"),
    ("aws_lambda_powertools.event_handler", "AppSyncResolver"),
    ("aws_lambda_powertools.utilities.data_classes", "SQSEvent"),
    ("aws_lambda_powertools.utilities.data_classes", "APIGatewayProxyEvent"),
    ("aws_lambda_powertools.utilities.data_classes", "event_source"),
    ("aws_lambda_powertools.utilities.data_classes", "S3Event"),
]
start = threading.Barrier(len(names) * 4)
found = []
def use(package, name):
    start.wait()
    module = __import__(package, fromlist=[name])
    found.append(getattr(module, name) is not None)
threads = [threading.Thread(target=use, args=pair, daemon=True) for pair in names * 4]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(20)
print(json.dumps({"stuck": sum(thread.is_alive() for thread in threads), "found": sum(found)}))
"""


@pytest.mark.parametrize("attempt", range(3))
def test_names_first_used_by_many_threads_at_once_resolve_without_a_deadlock(attempt: int) -> None:
    """32 threads resolve names of the deferred packages (and import their submodules) at the same moment."""
    assert fresh_interpreter(CONCURRENT_FIRST_USES) == {"stuck": 0, "found": 32}
