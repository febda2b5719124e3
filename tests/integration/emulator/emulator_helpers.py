"""Helpers shared by the emulator tests."""

from __future__ import annotations

from typing import Any

import pytest


def error_of(raised: pytest.ExceptionInfo[Any]) -> tuple[int, str, str]:
    """(HTTP status, error code, message) of a botocore ClientError."""
    response = raised.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )
