"""Shopper identity at the edge: the user pool and its app client, the Cognito authorizer on every
/me/* method and on no anonymous one, per-method throttles, and the web ACL when asked for."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Capture, Match, Template

from infra.api import throttle_key
from infra.settings import DeploymentSettings
from personalization.contracts.accounts import PASSWORD_POLICY, SHOPPER_ID_ATTRIBUTE
from personalization.contracts.topology import ROUTES, TRACK_EVENT, Route
from tests.infra.cfn import get_att, ref
from tests.infra.conftest import DEFAULT_STACK, PRODUCTION_STACK, Synthesis
from tests.infra.test_api import method, resource_ids

pytestmark = pytest.mark.infra

SIGNED_IN = [route for route in ROUTES if route.signed_in]
ANONYMOUS = [route for route in ROUTES if not route.signed_in]
SHOPPER_ID = f"custom:{SHOPPER_ID_ATTRIBUTE}"


def route_id(route: Route) -> str:
    return f"{route.method} {route.path}"


def test_every_use_case_has_an_anonymous_and_a_signed_in_route_on_the_same_function() -> None:
    assert {route.path for route in SIGNED_IN} == {f"/me{route.path}" for route in ANONYMOUS}
    for route in SIGNED_IN:
        twin = next(other for other in ANONYMOUS if f"/me{other.path}" == route.path)
        assert (twin.method, twin.function) == (route.method, route.function)


def test_the_authorizer_is_the_user_pools_own_and_caches_nothing(template: Template) -> None:
    template.resource_count_is("AWS::ApiGateway::Authorizer", 1)
    template.has_resource_properties(
        "AWS::ApiGateway::Authorizer",
        {
            "Type": "COGNITO_USER_POOLS",
            "IdentitySource": "method.request.header.Authorization",
            "ProviderARNs": [get_att(template.get_resource_id("AWS::Cognito::UserPool"), "Arn")],
            "AuthorizerResultTtlInSeconds": 0,
        },
    )


@pytest.mark.parametrize("route", SIGNED_IN, ids=route_id)
def test_every_signed_in_method_is_behind_the_cognito_authorizer(template: Template, route: Route) -> None:
    authorizer = ref(template.get_resource_id("AWS::ApiGateway::Authorizer"))
    template.has_resource_properties(
        "AWS::ApiGateway::Method",
        method(
            route.method,
            resource_ids(template)[route.path],
            AuthorizationType="COGNITO_USER_POOLS",
            AuthorizerId=authorizer,
        ),
    )


@pytest.mark.parametrize("route", ANONYMOUS, ids=route_id)
def test_no_anonymous_method_has_an_authorizer(template: Template, route: Route) -> None:
    found = template.find_resources(
        "AWS::ApiGateway::Method",
        {"Properties": method(route.method, resource_ids(template)[route.path])},
    )
    ((properties,),) = [[resource["Properties"] for resource in found.values()]]
    assert properties.get("AuthorizationType", "NONE") == "NONE"
    assert "AuthorizerId" not in properties


def test_a_401_from_the_authorizer_carries_the_callers_origin(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ApiGateway::GatewayResponse",
        {
            "ResponseType": "UNAUTHORIZED",
            "ResponseParameters": {
                "gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.Origin",
                "gatewayresponse.header.Vary": "'Origin'",
            },
        },
    )


def test_the_user_pool_signs_up_by_verified_email_with_the_policy_and_the_attribute(
    template: Template,
) -> None:
    policy = PASSWORD_POLICY
    template.resource_count_is("AWS::Cognito::UserPool", 1)
    template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
            "DeletionProtection": "ACTIVE",
            "MfaConfiguration": "OFF",
            "Policies": {
                "PasswordPolicy": {
                    "MinimumLength": policy.min_length,
                    "RequireLowercase": policy.require_lowercase,
                    "RequireUppercase": policy.require_uppercase,
                    "RequireNumbers": policy.require_digits,
                    "RequireSymbols": policy.require_symbols,
                    "TemporaryPasswordValidityDays": policy.temporary_password_days,
                }
            },
            "Schema": Match.array_with(
                [
                    {
                        "Name": SHOPPER_ID_ATTRIBUTE,
                        "AttributeDataType": "String",
                        "Mutable": True,
                        "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "10"},
                    }
                ]
            ),
        },
    )
    template.has_resource("AWS::Cognito::UserPool", {"DeletionPolicy": "Retain"})


def test_the_app_client_has_no_secret_signs_in_with_srp_and_states_its_token_lifetimes(
    template: Template,
) -> None:
    template.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "GenerateSecret": False,
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "PreventUserExistenceErrors": "ENABLED",
            "EnableTokenRevocation": True,
            "IdTokenValidity": 60,
            "AccessTokenValidity": 60,
            "RefreshTokenValidity": 1440,
            "TokenValidityUnits": {"IdToken": "minutes", "AccessToken": "minutes", "RefreshToken": "minutes"},
            "AuthSessionValidity": 3,
        },
    )


def client_attributes(template: Template) -> tuple[list[str], list[str]]:
    read, write = Capture(), Capture()
    template.has_resource_properties(
        "AWS::Cognito::UserPoolClient", {"ReadAttributes": read, "WriteAttributes": write}
    )
    return read.as_array(), write.as_array()


def test_with_profile_emulation_the_client_reads_and_writes_the_emulated_shopper(template: Template) -> None:
    read, write = client_attributes(template)
    assert SHOPPER_ID in read
    assert sorted(write) == sorted(["email", SHOPPER_ID])


def test_without_profile_emulation_no_account_can_choose_whom_it_shops_as(
    production_template: Template,
) -> None:
    read, write = client_attributes(production_template)
    assert SHOPPER_ID not in read
    assert write == ["email"]
    production_template.has_resource_properties("AWS::Cognito::UserPool", {"DeletionProtection": "INACTIVE"})
    production_template.has_resource("AWS::Cognito::UserPool", {"DeletionPolicy": "Delete"})


def environments(template: Template) -> list[dict[str, str]]:
    functions = template.find_resources("AWS::Lambda::Function")
    return [
        resource["Properties"].get("Environment", {}).get("Variables", {}) for resource in functions.values()
    ]


@pytest.mark.parametrize(("fixture", "expected"), [("template", "true"), ("production_template", "false")])
def test_the_api_functions_are_told_whether_profile_emulation_is_on(
    request: pytest.FixtureRequest, fixture: str, expected: str
) -> None:
    template: Template = request.getfixturevalue(fixture)
    values = [env["PROFILE_EMULATION"] for env in environments(template) if "PROFILE_EMULATION" in env]
    assert values == [expected] * 4


def method_settings(template: Template) -> dict[str, dict[str, Any]]:
    settings = Capture()
    template.has_resource_properties("AWS::ApiGateway::Stage", {"MethodSettings": settings})
    return {f"{entry['ResourcePath']} {entry['HttpMethod']}": entry for entry in settings.as_array()}


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_each_method_is_throttled_and_events_lower_than_reads(template: Template, route: Route) -> None:
    defaults = DeploymentSettings.from_mapping({})
    resource_path = "/" + route.path.replace("/", "~1")
    entry = method_settings(template)[f"{resource_path} {route.method}"]
    if route.function == TRACK_EVENT:
        expected = (defaults.events_throttle_rate_limit, defaults.events_throttle_burst_limit)
    else:
        expected = (defaults.throttle_rate_limit, defaults.throttle_burst_limit)
    assert (entry["ThrottlingRateLimit"], entry["ThrottlingBurstLimit"]) == expected
    assert defaults.events_throttle_rate_limit < defaults.throttle_rate_limit
    assert throttle_key(route) == f"{route.path}/{route.method}"


def test_no_web_acl_unless_asked_for(template: Template) -> None:
    template.resource_count_is("AWS::WAFv2::WebACL", 0)
    template.resource_count_is("AWS::WAFv2::WebACLAssociation", 0)


def test_the_web_acl_limits_each_ip_and_runs_the_managed_rule_groups(production_template: Template) -> None:
    template = production_template
    template.has_resource_properties(
        "AWS::WAFv2::WebACL",
        {
            "Scope": "REGIONAL",
            "DefaultAction": {"Allow": {}},
            "Rules": [
                Match.object_like(
                    {
                        "Name": "RatePerIp",
                        "Action": {"Block": {}},
                        "Statement": {
                            "RateBasedStatement": {
                                "Limit": 500,
                                "AggregateKeyType": "IP",
                                "EvaluationWindowSec": 300,
                            }
                        },
                    }
                ),
                Match.object_like(
                    {
                        "Name": "AWSManagedRulesCommonRuleSet",
                        "Statement": {
                            "ManagedRuleGroupStatement": {
                                "VendorName": "AWS",
                                "Name": "AWSManagedRulesCommonRuleSet",
                                "RuleActionOverrides": [
                                    {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}
                                ],
                            }
                        },
                    }
                ),
                Match.object_like(
                    {
                        "Name": "AWSManagedRulesKnownBadInputsRuleSet",
                        "Statement": {
                            "ManagedRuleGroupStatement": {
                                "VendorName": "AWS",
                                "Name": "AWSManagedRulesKnownBadInputsRuleSet",
                            }
                        },
                    }
                ),
            ],
        },
    )
    stage = template.get_resource_id("AWS::ApiGateway::Stage")
    acl = template.get_resource_id("AWS::WAFv2::WebACL")
    association = Capture()
    template.has_resource_properties(
        "AWS::WAFv2::WebACLAssociation", {"ResourceArn": association, "WebACLArn": get_att(acl, "Arn")}
    )
    assert ref(stage) in association.as_object()["Fn::Join"][1]


def acknowledged(synthesis: Synthesis, stack_name: str) -> set[tuple[str, str]]:
    """(construct path, finding) of every acknowledgment in the stack's metadata."""
    metadata = json.loads((synthesis.outdir / f"{stack_name}.metadata.json").read_text())
    return {
        (path, finding.split("::")[-1])
        for path, entries in metadata.items()
        for entry in entries
        if entry["type"] == "aws:cdk:acknowledged-rules"
        for finding in entry["data"]
    }


@pytest.mark.parametrize("stack_name", [DEFAULT_STACK, PRODUCTION_STACK])
def test_the_public_api_findings_are_acknowledged_only_where_still_true(
    synthesis: Synthesis, stack_name: str
) -> None:
    findings = acknowledged(synthesis, stack_name)
    for finding in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
        paths = sorted(path for path, name in findings if name == finding)
        expected = sorted(f"/{stack_name}/Api/Api/Default{route.path}/{route.method}" for route in ANONYMOUS)
        assert paths == expected, finding
    waf = [path for path, name in findings if name == "AwsSolutions-APIG3"]
    assert waf == ([] if stack_name == PRODUCTION_STACK else [f"/{stack_name}/Api/Api/DeploymentStage.v1"])
