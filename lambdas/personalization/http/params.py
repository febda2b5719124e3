"""Powertools' parameter markers for the routes' signatures (`Query`, `Body`), imported through the
HTTP layer so that its package is loaded first (see `personalization.http`)."""

from aws_lambda_powertools.event_handler.openapi.params import Body, Query

__all__ = ["Body", "Query"]
