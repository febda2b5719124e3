"""Answers with what a handler sees: the event, the context and the environment."""

import os
from typing import Any


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    if isinstance(event, dict) and "raise" in event:
        raise ValueError(event["raise"])
    return {
        "event": event,
        "functionName": context.function_name,
        "memory": context.memory_limit_in_mb,
        "requestId": context.aws_request_id,
        "arn": context.invoked_function_arn,
        "remainingMs": context.get_remaining_time_in_millis(),
        "environment": dict(os.environ),
        "pid": os.getpid(),
    }
