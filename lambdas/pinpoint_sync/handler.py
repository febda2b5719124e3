"""SQS batches of signed-in shoppers' events -> Amazon Pinpoint (partial batch response)."""

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from personalization.adapters.sinks.pinpoint import pinpoint_sink
from personalization.observability import logger, metrics, tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return pinpoint_sink().handle(event)
