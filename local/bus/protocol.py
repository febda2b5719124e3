"""What the local bus and queues answer on the wire: JSON bodies and AWS-shaped errors.

EventBridge speaks `awsJson1_1` (`X-Amz-Target: AWSEvents.<Operation>`), SQS `awsJson1_0`
(`X-Amz-Target: AmazonSQS.<Operation>`), as botocore's service models say. An error is a JSON
body `{"__type": code, "message": text}` with a 4xx/5xx status; SQS also sends the query-protocol
code in `x-amzn-query-error`, which botocore reads for the legacy code some callers test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON_1_0 = "application/x-amz-json-1.0"
JSON_1_1 = "application/x-amz-json-1.1"


@dataclass
class ServiceError(Exception):
    """A request the service refuses; `code` is the error shape's name in the service model."""

    code: str
    message: str
    status: int = 400
    query_code: str | None = None
    """SQS's legacy code (e.g. `AWS.SimpleQueueService.NonExistentQueue`), sent in x-amzn-query-error."""
    sender_fault: bool = True

    def __post_init__(self) -> None:
        super().__init__(self.message)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)


def validation(message: str) -> ServiceError:
    return ServiceError("ValidationException", message)


def require(request: dict[str, Any], name: str, kind: type | tuple[type, ...] = str) -> Any:
    """A member the service model marks as required, of the expected JSON type."""
    value = request.get(name)
    if value is None:
        raise validation(f"1 validation error detected: Value null at '{name}' failed to satisfy constraint")
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise validation(f"'{name}' has the wrong type")
    return value
