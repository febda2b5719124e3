"""The REST API: routes from the shared table, CORS, throttling, access logs, validation, tracing."""

from __future__ import annotations

from typing import Any

import pytest

from personalization.contracts.topology import ROUTES, Route
from personalization.settings import DEFAULT_ALLOWED_ORIGINS
from tests.infra.cfn import function_of, only, ref_id, resources, text

pytestmark = pytest.mark.infra


def resource_path(template: dict[str, Any], resource_id: Any) -> str:
    """The URL path of an API resource, walking ParentId up to the root."""
    parts: list[str] = []
    while "Fn::GetAtt" not in resource_id:
        resource = template["Resources"][ref_id(resource_id)]["Properties"]
        parts.insert(0, resource["PathPart"])
        resource_id = resource["ParentId"]
    return "/" + "/".join(parts)


def methods(template: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (
            method["Properties"]["HttpMethod"],
            resource_path(template, method["Properties"]["ResourceId"]),
        ): method["Properties"]
        for method in resources(template, "AWS::ApiGateway::Method").values()
    }


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_route_invokes_its_function(template: dict[str, Any], route: Route) -> None:
    method = methods(template)[(route.method, route.path)]
    function_id, _ = function_of(template, route.function)
    integration = method["Integration"]
    assert integration["Type"] == "AWS_PROXY"
    assert integration["IntegrationHttpMethod"] == "POST"
    assert f"${{{function_id}.Arn}}/invocations" in text(integration["Uri"])
    assert method["RequestValidatorId"]


def test_only_the_routes_and_their_preflights_exist(template: dict[str, Any]) -> None:
    declared = {(route.method, route.path) for route in ROUTES}
    preflights = {("OPTIONS", path) for path in ["/", *(route.path for route in ROUTES)]}
    assert set(methods(template)) == declared | preflights


def test_cors_preflight_allows_the_configured_origins(template: dict[str, Any]) -> None:
    preflight = methods(template)[("OPTIONS", "/recommendations")]
    (response,) = preflight["Integration"]["IntegrationResponses"]
    headers = response["ResponseParameters"]
    first, *others = DEFAULT_ALLOWED_ORIGINS
    assert headers["method.response.header.Access-Control-Allow-Origin"] == f"'{first}'"
    assert headers["method.response.header.Access-Control-Allow-Headers"] == "'Content-Type'"
    assert set(headers["method.response.header.Access-Control-Allow-Methods"].strip("'").split(",")) == {
        route.method for route in ROUTES
    }
    echoed = response["ResponseTemplates"]["application/json"]
    assert all(f'$origin == "{origin}"' in echoed for origin in others)


def test_stage_throttles_traces_and_logs_access(template: dict[str, Any]) -> None:
    _, stage = only(template, "AWS::ApiGateway::Stage")
    properties = stage["Properties"]
    assert properties["StageName"] == "v1"
    assert properties["TracingEnabled"] is True
    (settings,) = properties["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == 50
    assert settings["ThrottlingBurstLimit"] == 100
    assert (settings["HttpMethod"], settings["ResourcePath"]) == ("*", "/*")
    destination = text(properties["AccessLogSetting"]["DestinationArn"])
    log_group_id = destination.rsplit("log-group:${", 1)[1].rstrip("}")
    assert template["Resources"][log_group_id]["Properties"]["RetentionInDays"] == 30
    assert '"status":"$context.status"' in properties["AccessLogSetting"]["Format"]


def test_post_bodies_must_be_json_objects_with_the_api_error_shape(template: dict[str, Any]) -> None:
    _, validator = only(template, "AWS::ApiGateway::RequestValidator")
    assert validator["Properties"]["ValidateRequestBody"] is True
    assert validator["Properties"]["ValidateRequestParameters"] is True
    _, model = only(template, "AWS::ApiGateway::Model")
    assert model["Properties"]["Schema"]["type"] == "object"
    for route in ROUTES:
        method = methods(template)[(route.method, route.path)]
        if route.method == "POST":
            assert (
                ref_id(method["RequestModels"]["application/json"])
                == only(template, "AWS::ApiGateway::Model")[0]
            )
        else:
            assert "RequestModels" not in method
    _, response = only(template, "AWS::ApiGateway::GatewayResponse")
    assert response["Properties"]["ResponseType"] == "BAD_REQUEST_BODY"
    assert response["Properties"]["StatusCode"] == "400"
    assert '"errors": [{"field": "body"' in response["Properties"]["ResponseTemplates"]["application/json"]


def test_api_url_is_an_output(template: dict[str, Any]) -> None:
    stage_id, _ = only(template, "AWS::ApiGateway::Stage")
    api_id, _ = only(template, "AWS::ApiGateway::RestApi")
    url = text(template["Outputs"]["ApiUrl"]["Value"])
    assert url == f"https://${{{api_id}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/${{{stage_id}}}/"
