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
)


@pytest.mark.parametrize("function", ["recommend", "related", "rank"])
def test_a_read_handler_imports_no_module_its_requests_never_use(function: str) -> None:
    script = (
        f"import json, sys; import {function}.handler; "
        f"print(json.dumps([m for m in {list(NEVER_LOADED)!r} if m in sys.modules]))"
    )
    environment = {**os.environ, "PYTHONPATH": f"{REPOSITORY_ROOT / 'lambdas'}{os.pathsep}{REPOSITORY_ROOT}"}
    completed = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert json.loads(completed.stdout.splitlines()[-1]) == []
