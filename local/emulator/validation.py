"""Request validation against botocore's service models: the same required members, types,
lengths, ranges, patterns and enums the real services declare, checked on the server side.

botocore itself only checks required members, types and minimums before sending, so the
maximums (eventList <= 10, ids <= 256 characters, properties <= 1024 characters, ...) are
only enforced here. Messages follow the services' "N validation error(s) detected" style.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, Shape, StringShape, StructureShape


class InputValidationError(ValueError):
    """The request breaks a constraint of the service model."""


@cache
def operation_model(service: str, operation: str) -> OperationModel:
    return botocore.session.get_session().get_service_model(service).operation_model(operation)


def body_shape(operation: OperationModel) -> Shape:
    """The shape the JSON body carries: the payload member if the operation declares one."""
    input_shape = operation.input_shape
    assert isinstance(input_shape, StructureShape)
    payload = input_shape.serialization.get("payload")
    return input_shape.members[payload] if payload else input_shape


def validate_body(service: str, operation: str, body: Any) -> None:
    problems: list[str] = []
    shape = body_shape(operation_model(service, operation))
    _check(shape, body, "", problems, body_only=shape is operation_model(service, operation).input_shape)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise InputValidationError(f"{count} validation {noun} detected: {'; '.join(problems)}")


def _violation(path: str, constraint: str) -> str:
    return f"Value at '{path or 'body'}' failed to satisfy constraint: {constraint}"


def _join(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


def _check(shape: Shape, value: Any, path: str, problems: list[str], body_only: bool = False) -> None:
    checker = _CHECKERS.get(shape.type_name)
    if checker is not None:
        checker(shape, value, path, problems, body_only)


def _check_structure(shape: Shape, value: Any, path: str, problems: list[str], body_only: bool) -> None:
    assert isinstance(shape, StructureShape)
    if not isinstance(value, dict):
        problems.append(_violation(path, "Member must be an object"))
        return
    for name, member in shape.members.items():
        if body_only and member.serialization.get("location"):
            continue
        if name not in value or value[name] is None:
            if name in shape.required_members:
                problems.append(_violation(_join(path, name), "Member must not be null"))
            continue
        _check(member, value[name], _join(path, name), problems)


def _check_bounds(shape: Shape, measure: float, what: str, path: str, problems: list[str]) -> None:
    """Reports a `measure` (the member's length or value, as `what` says) outside the shape's min/max."""
    minimum, maximum = shape.metadata.get("min"), shape.metadata.get("max")
    if minimum is not None and measure < minimum:
        problems.append(_violation(path, f"Member must have {what} greater than or equal to {minimum}"))
    if maximum is not None and measure > maximum:
        problems.append(_violation(path, f"Member must have {what} less than or equal to {maximum}"))


def _check_list(shape: Shape, value: Any, path: str, problems: list[str], _body_only: bool) -> None:
    assert isinstance(shape, ListShape)
    if not isinstance(value, list):
        problems.append(_violation(path, "Member must be a list"))
        return
    _check_bounds(shape, len(value), "length", path, problems)
    for position, element in enumerate(value):
        _check(shape.member, element, f"{path}.{position + 1}.member", problems)


def _check_map(shape: Shape, value: Any, path: str, problems: list[str], _body_only: bool) -> None:
    assert isinstance(shape, MapShape)
    if not isinstance(value, dict):
        problems.append(_violation(path, "Member must be a map"))
        return
    _check_bounds(shape, len(value), "length", path, problems)
    for key, element in value.items():
        _check(shape.key, key, f"{path}.{key}.key", problems)
        _check(shape.value, element, f"{path}.{key}.value", problems)


def _check_string(shape: Shape, value: Any, path: str, problems: list[str], _body_only: bool) -> None:
    if not isinstance(value, str):
        problems.append(_violation(path, "Member must be a string"))
        return
    _check_bounds(shape, len(value), "length", path, problems)
    pattern = shape.metadata.get("pattern")
    if pattern and _compiled(pattern).fullmatch(value) is None:
        problems.append(_violation(path, f"Member must satisfy regular expression pattern: {pattern}"))
    if isinstance(shape, StringShape) and shape.enum and value not in shape.enum:
        problems.append(_violation(path, f"Member must satisfy enum value set: [{', '.join(shape.enum)}]"))


def _check_number(shape: Shape, value: Any, path: str, problems: list[str], _body_only: bool) -> None:
    integral = shape.type_name in ("integer", "long")
    expected = int if integral else (int, float)
    if isinstance(value, bool) or not isinstance(value, expected):
        problems.append(_violation(path, f"Member must be {'an integer' if integral else 'a number'}"))
        return
    _check_bounds(shape, value, "value", path, problems)


def _check_timestamp(shape: Shape, value: Any, path: str, problems: list[str], _body_only: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.append(_violation(path, "Member must be a timestamp"))


def _check_boolean(shape: Shape, value: Any, path: str, problems: list[str], _body_only: bool) -> None:
    if not isinstance(value, bool):
        problems.append(_violation(path, "Member must be a boolean"))


_CHECKERS = {
    "structure": _check_structure,
    "list": _check_list,
    "map": _check_map,
    "string": _check_string,
    "integer": _check_number,
    "long": _check_number,
    "float": _check_number,
    "double": _check_number,
    "timestamp": _check_timestamp,
    "boolean": _check_boolean,
}


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.DOTALL)
