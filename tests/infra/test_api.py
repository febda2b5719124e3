"""The REST API: routes from the shared table, CORS, throttling, access logs, validation, tracing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aws_cdk.assertions import Capture, Match, Template

from infra.deployment import SNAPSTART, SNAPSTART_ALIAS
from personalization.contracts.topology import ROUTES, Route
from personalization.settings import DEFAULT_ALLOWED_ORIGINS
from tests.infra.cfn import arn, function_id, get_att, join, ref

pytestmark = pytest.mark.infra


def resource_ids(template: Template) -> dict[str, Any]:
    """URL path -> the value a method's ResourceId holds for it: the root's GetAtt or a resource's Ref.

    The library finds resources by their properties; a path is the chain of PathParts up the
    ParentIds, which no matcher follows."""
    api_id = template.get_resource_id("AWS::ApiGateway::RestApi")
    resources = template.find_resources("AWS::ApiGateway::Resource")

    def path(logical_id: str) -> str:
        properties = resources[logical_id]["Properties"]
        parent = properties["ParentId"]
        prefix = "" if parent == get_att(api_id, "RootResourceId") else path(parent["Ref"])
        return f"{prefix}/{properties['PathPart']}"

    return {"/": get_att(api_id, "RootResourceId"), **{path(id_): ref(id_) for id_ in resources}}


def method(http_method: str, resource_id: Any, **properties: Any) -> dict[str, Any]:
    """The properties pattern of the method `http_method` on the resource, with more properties."""
    return {"HttpMethod": http_method, "ResourceId": resource_id, **properties}


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_route_invokes_its_function(template: Template, route: Route) -> None:
    """A SnapStart function through its alias (a snapshot serves published versions only)."""
    function = function_id(template, route.function)
    if route.function in SNAPSTART:
        (alias,) = template.find_resources(
            "AWS::Lambda::Alias", {"Properties": {"FunctionName": ref(function), "Name": SNAPSTART_ALIAS}}
        )
        target: Any = ref(alias)
    else:
        target = get_att(function, "Arn")
    uri = join(
        "arn:",
        ref("AWS::Partition"),
        ":apigateway:",
        ref("AWS::Region"),
        ":lambda:path/2015-03-31/functions/",
        target,
        "/invocations",
    )
    template.has_resource_properties(
        "AWS::ApiGateway::Method",
        method(
            route.method,
            resource_ids(template)[route.path],
            Integration={"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": uri},
            RequestValidatorId=ref(template.get_resource_id("AWS::ApiGateway::RequestValidator")),
        ),
    )


def test_only_the_routes_and_their_preflights_exist(template: Template) -> None:
    declared = {(route.method, route.path) for route in ROUTES}
    preflights = {("OPTIONS", path) for path in resource_ids(template)}
    assert set(resource_ids(template)) == {"/", "/me", *(route.path for route in ROUTES)}
    expected = declared | preflights
    template.resource_count_is("AWS::ApiGateway::Method", len(expected))
    ids = resource_ids(template)
    for http_method, path in expected:
        template.resource_properties_count_is("AWS::ApiGateway::Method", method(http_method, ids[path]), 1)


def test_cors_preflight_allows_the_configured_origins(template: Template) -> None:
    first, *others = DEFAULT_ALLOWED_ORIGINS
    allowed_methods = Capture()
    echoed = Capture()
    template.has_resource_properties(
        "AWS::ApiGateway::Method",
        method(
            "OPTIONS",
            resource_ids(template)["/recommendations"],
            Integration={
                "IntegrationResponses": [
                    {
                        "ResponseParameters": {
                            "method.response.header.Access-Control-Allow-Origin": f"'{first}'",
                            "method.response.header.Access-Control-Allow-Headers": (
                                "'Content-Type,Authorization'"
                            ),
                            "method.response.header.Access-Control-Allow-Methods": allowed_methods,
                        },
                        "ResponseTemplates": {"application/json": echoed},
                    }
                ]
            },
        ),
    )
    assert set(allowed_methods.as_string().strip("'").split(",")) == {route.method for route in ROUTES}
    assert all(f'$origin == "{origin}"' in echoed.as_string() for origin in others)


def test_stage_throttles_traces_and_logs_access(template: Template) -> None:
    template.resource_count_is("AWS::ApiGateway::Stage", 1)
    log_group = Capture()
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": "v1",
            "TracingEnabled": True,
            "MethodSettings": Match.array_with(
                [
                    Match.object_like(
                        {
                            "ThrottlingRateLimit": 50,
                            "ThrottlingBurstLimit": 100,
                            "HttpMethod": "*",
                            "ResourcePath": "/*",
                        }
                    )
                ]
            ),
            "AccessLogSetting": {
                "DestinationArn": arn("logs", "log-group:", {"Ref": log_group}),
                "Format": Match.string_like_regexp(re.escape('"status":"$context.status"')),
            },
        },
    )
    template.template_matches(
        {
            "Resources": {
                log_group.as_string(): {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}}
            }
        }
    )


def test_post_bodies_must_be_json_objects_with_the_api_error_shape(template: Template) -> None:
    template.resource_count_is("AWS::ApiGateway::RequestValidator", 1)
    template.has_resource_properties(
        "AWS::ApiGateway::RequestValidator", {"ValidateRequestBody": True, "ValidateRequestParameters": True}
    )
    model_id = template.get_resource_id(
        "AWS::ApiGateway::Model", {"Properties": {"Schema": {"type": "object"}}}
    )
    template.resource_count_is("AWS::ApiGateway::Model", 1)
    ids = resource_ids(template)
    for route in ROUTES:
        models = {"application/json": ref(model_id)} if route.method == "POST" else Match.absent()
        template.has_resource_properties(
            "AWS::ApiGateway::Method", method(route.method, ids[route.path], RequestModels=models)
        )
    template.resource_properties_count_is(
        "AWS::ApiGateway::GatewayResponse", {"ResponseType": "BAD_REQUEST_BODY"}, 1
    )
    template.has_resource_properties(
        "AWS::ApiGateway::GatewayResponse",
        {
            "ResponseType": "BAD_REQUEST_BODY",
            "StatusCode": "400",
            "ResponseTemplates": {
                "application/json": Match.serialized_json(
                    {
                        "message": Match.any_value(),
                        "errors": [{"field": "body", "problem": Match.any_value()}],
                    }
                )
            },
        },
    )


def test_api_url_is_an_output(template: Template) -> None:
    stage_id = template.get_resource_id("AWS::ApiGateway::Stage")
    api_id = template.get_resource_id("AWS::ApiGateway::RestApi")
    url = join(
        "https://",
        ref(api_id),
        ".execute-api.",
        ref("AWS::Region"),
        ".",
        ref("AWS::URLSuffix"),
        "/",
        ref(stage_id),
        "/",
    )
    template.has_output("ApiUrl", {"Value": url})
