"""Ends its process in the middle of an invocation."""

import os
from typing import Any


def lambda_handler(event: Any, context: Any) -> None:
    os._exit(3)
