"""Sleeps as long as the event says, then answers a proxy response."""

import os
import time
from typing import Any


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    time.sleep(float((event.get("queryStringParameters") or {}).get("sleep", 0)))
    return {"statusCode": 200, "body": str(os.getpid())}
