"""The error body every HTTP answer of 4xx/5xx carries: `{"message", "errors": [{"field", "problem"}]}`."""

from __future__ import annotations

from pydantic import BaseModel


class FieldProblem(BaseModel):
    field: str
    problem: str


class ErrorResponse(BaseModel):
    message: str
    errors: list[FieldProblem] = []
