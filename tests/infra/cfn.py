"""Reading a synthesized CloudFormation template: resources by type, intrinsics as text."""

from __future__ import annotations

from typing import Any

from personalization.contracts.topology import FunctionSpec


def resources(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def only(template: dict[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    found = resources(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.items()))


def text(value: Any) -> Any:
    """Intrinsics as readable text: `{"Ref": "AWS::Region"}` -> `${AWS::Region}`, GetAtt -> `${Id.Attr}`,
    Join -> the joined text; lists and plain values recursively."""
    if isinstance(value, list):
        return [text(item) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return f"${{{value['Ref']}}}"
    if set(value) == {"Fn::GetAtt"}:
        return f"${{{'.'.join(value['Fn::GetAtt'])}}}"
    if set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return separator.join(str(text(part)) for part in parts)
    return {key: text(item) for key, item in value.items()}


def ref_id(value: Any) -> str:
    """The logical id a Ref or GetAtt points at."""
    if "Ref" in value:
        return str(value["Ref"])
    return str(value["Fn::GetAtt"][0])


def function_of(template: dict[str, Any], spec: FunctionSpec) -> tuple[str, dict[str, Any]]:
    found = [
        (logical_id, resource["Properties"])
        for logical_id, resource in resources(template, "AWS::Lambda::Function").items()
        if resource["Properties"].get("Handler") == spec.handler
    ]
    assert len(found) == 1, f"expected one function with handler {spec.handler}, found {len(found)}"
    return found[0]
