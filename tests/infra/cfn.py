"""CloudFormation values the tests expect, and the little `aws_cdk.assertions` does not do.

`Template` and `Match` do the lookups and the matching; this module only spells intrinsics
(`ref`, `get_att`, `join`, `arn`) so that expected values read like the template, and adds
the readings the library lacks, each saying so.
"""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template

from personalization.contracts.topology import FunctionSpec


def ref(logical_id: str) -> dict[str, Any]:
    return {"Ref": logical_id}


def get_att(logical_id: str, attribute: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, attribute]}


def join(*parts: Any) -> dict[str, Any]:
    """`Fn::Join` with the empty separator, as CDK renders a string holding tokens."""
    return {"Fn::Join": ["", list(parts)]}


def arn(service: str, resource: str, *tokens: Any) -> dict[str, Any]:
    """An ARN in the stack's partition, region and account, as CDK renders it: `resource`, then
    any `tokens` (e.g. a Ref) that end it."""
    return join(
        "arn:",
        ref("AWS::Partition"),
        f":{service}:",
        ref("AWS::Region"),
        ":",
        ref("AWS::AccountId"),
        f":{resource}",
        *tokens,
    )


def function_id(template: Template, spec: FunctionSpec) -> str:
    """The logical id of the spec's function (the one whose handler is the spec's)."""
    return template.get_resource_id("AWS::Lambda::Function", {"Properties": {"Handler": spec.handler}})


def joined_text(value: Any) -> str:
    """An `Fn::Join` as text, each Ref as `${Id}` and each GetAtt as `${Id.Attribute}`.

    The library matches JSON values, but it cannot read a JSON document that `Fn::Join`
    assembles from text and tokens (the dashboard body): render it, then parse it.
    """
    if isinstance(value, str):
        return value
    if set(value) == {"Ref"}:
        return f"${{{value['Ref']}}}"
    if set(value) == {"Fn::GetAtt"}:
        return f"${{{'.'.join(value['Fn::GetAtt'])}}}"
    if set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return str(separator).join(joined_text(part) for part in parts)
    raise ValueError(f"not a string, Ref, GetAtt or Join: {value}")
