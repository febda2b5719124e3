"""The errors a use case raises; `personalization.http.errors` maps each to its HTTP answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of the input."""

    field: str
    problem: str


class BadRequestError(Exception):
    """Input that passed the schema but breaks a rule of the API."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class ServiceUnavailableError(Exception):
    """A dependency could not do the work now; the client may retry.

    `body` is the JSON answer when it says more than the standard error body (e.g. which
    events were not accepted).
    """

    def __init__(self, message: str, body: BaseModel | None = None) -> None:
        super().__init__(message)
        self.body = body
