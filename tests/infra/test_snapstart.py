"""SnapStart on the read functions: published versions, a `live` alias, the API integrating with it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra.deployment import SNAPSTART, SNAPSTART_ALIAS
from infra.functions import RUNTIME
from personalization.contracts.topology import FUNCTIONS, RANK, RECOMMEND, RELATED, ROUTES
from tests.infra.cfn import function_id

pytestmark = pytest.mark.infra


def resources(template: Template, kind: str) -> Mapping[str, Mapping[str, Any]]:
    return template.find_resources(kind)


def test_snapstart_is_on_for_the_read_functions_only(template: Template) -> None:
    assert {RECOMMEND, RELATED, RANK} == SNAPSTART
    for spec in FUNCTIONS:
        properties = resources(template, "AWS::Lambda::Function")[function_id(template, spec)]["Properties"]
        expected = {"ApplyOn": "PublishedVersions"} if spec in SNAPSTART else None
        assert properties.get("SnapStart") == expected, spec.name


def test_snapstart_runs_on_a_python_it_supports() -> None:
    version = tuple(int(part) for part in RUNTIME.name.removeprefix("python").split("."))
    assert version >= (3, 12)


def test_each_snapstart_function_has_a_version_and_a_live_alias_on_it(template: Template) -> None:
    versions = resources(template, "AWS::Lambda::Version")
    aliases = resources(template, "AWS::Lambda::Alias")
    for spec in SNAPSTART:
        function = function_id(template, spec)
        [version] = [v for v in versions if versions[v]["Properties"]["FunctionName"] == {"Ref": function}]
        assert versions[version]["DeletionPolicy"] == "Delete", (
            "a replaced version (and its snapshot) is deleted"
        )
        [alias] = [a for a in aliases.values() if a["Properties"]["FunctionName"] == {"Ref": function}]
        assert alias["Properties"]["Name"] == SNAPSTART_ALIAS
        assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version, "Version"]}


def test_the_api_invokes_the_alias_of_each_snapstart_function(template: Template) -> None:
    methods = resources(template, "AWS::ApiGateway::Method")
    uris = [json.dumps(m["Properties"]["Integration"].get("Uri")) for m in methods.values()]
    aliases = resources(template, "AWS::Lambda::Alias")
    for route in ROUTES:
        if route.function not in SNAPSTART:
            continue
        function = function_id(template, route.function)
        [alias_id] = [i for i, a in aliases.items() if a["Properties"]["FunctionName"] == {"Ref": function}]
        assert any(alias_id in uri for uri in uris), f"{route.path} does not integrate with {alias_id}"
        template.has_resource_properties(
            "AWS::Lambda::Permission",
            {
                "FunctionName": {"Ref": alias_id},
                "Principal": "apigateway.amazonaws.com",
                "Action": "lambda:InvokeFunction",
            },
        )
