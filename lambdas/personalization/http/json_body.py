"""The one JSON body parser of the API functions: bounded in size, depth and number length.

A body over 64 KiB, nested deeper than MAX_JSON_DEPTH, spelling a number longer than
MAX_NUMBER_DIGITS, holding NaN/Infinity, a lone surrogate (`"\\ud800"`) or bytes that are not
UTF-8 is refused before (or while) it is parsed, never turned into a 500.
"""

from __future__ import annotations

import json
import re
from typing import Any

from personalization.contracts.limits import MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_NUMBER_DIGITS


class PayloadTooLargeError(Exception):
    pass


class InvalidJsonBodyError(Exception):
    """The body cannot be read as JSON; the message is the problem, safe to answer."""


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def nesting_depth_exceeds(text: str, limit: int) -> bool:
    """Whether objects and arrays nest deeper than `limit`, brackets inside strings left out."""
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def _number(convert: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        if len(text) > MAX_NUMBER_DIGITS:
            raise InvalidJsonBodyError(f"a number is longer than {MAX_NUMBER_DIGITS} characters")
        return convert(text)

    return parse


def _constant(name: str) -> Any:
    raise InvalidJsonBodyError(f"{name} is not a JSON value")


def parse_json_body(body: str) -> Any:
    """The JSON value of a request body; raises PayloadTooLargeError, InvalidJsonBodyError or
    json.JSONDecodeError (which the resolver reports as invalid JSON)."""
    try:
        size = len(body.encode())
    except UnicodeEncodeError as error:
        raise InvalidJsonBodyError("body is not valid UTF-8") from error
    if size > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"request body is over {MAX_BODY_BYTES} bytes")
    if nesting_depth_exceeds(body, MAX_JSON_DEPTH):
        raise InvalidJsonBodyError(f"body nests deeper than {MAX_JSON_DEPTH} levels")
    value = json.loads(body, parse_int=_number(int), parse_float=_number(float), parse_constant=_constant)
    if _SURROGATE_ESCAPE.search(body):
        try:
            json.dumps(value, ensure_ascii=False).encode()
        except UnicodeEncodeError as error:
            raise InvalidJsonBodyError("a string holds a lone surrogate (not Unicode text)") from error
    return value
