"""Every function: runtime, architecture, layer, asset, sizing, tracing, logs, environment, role."""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from collections.abc import Iterable
from typing import Any, cast

import pytest
from aws_cdk.assertions import Capture, Match, Template

from infra.deployment import MEMORY_MB
from infra.functions import POWERTOOLS_LAYER_PARAMETER, RUNTIME
from infra.naming import pascal_case
from personalization.contracts.parameters import DEFAULT_PREFIX
from personalization.contracts.topology import (
    FUNCTIONS,
    PERSONALIZE_SYNC,
    PINPOINT_SYNC,
    RANK,
    RECOMMEND,
    RELATED,
    SINKS,
    TRACK_EVENT,
    FunctionSpec,
)
from personalization.settings import DEFAULT_ALLOWED_ORIGINS, METRICS_NAMESPACE
from repository import REPOSITORY_ROOT
from tests.infra.cfn import arn, function_id, get_att, ref
from tests.infra.conftest import DEFAULT_STACK, Synthesis

pytestmark = pytest.mark.infra

BUS_NAME = "RetailPersonalization-events"
BUS_ARN = "the stack's bus"
"""Stands for the bus's ARN in EXPECTED_ACCESS; the test puts in the bus's GetAtt."""

Grant = tuple[tuple[str, ...], tuple[str, ...]]
"""A statement as actions and resources (each as canonical JSON), both sorted."""


def grant(actions: Iterable[str], resources: Iterable[Any]) -> Grant:
    """A statement compared regardless of order: `Match.array_with` and array literals match in order,
    and the order of a role's statements follows construction, not meaning."""
    return tuple(sorted(actions)), tuple(sorted(json.dumps(value, sort_keys=True) for value in resources))


PERSONALIZE_TYPES = {kind: arn("personalize", f"{kind}/*") for kind in ("campaign", "recommender", "filter")}
CONFIG = (("ssm:GetParametersByPath",), (arn("ssm", "parameter/retail-personalization"),))
XRAY_ACTIONS = ("xray:PutTelemetryRecords", "xray:PutTraceSegments")
SQS_SET_ASIDE = ("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage")
"""A sink's grant on its own dead-letter queue, where it sends the records a service rejects."""
SQS_CONSUMER = (
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
)

EXPECTED_ACCESS: dict[FunctionSpec, list[tuple[tuple[str, ...], tuple[Any, ...]]]] = {
    RECOMMEND: [
        CONFIG,
        (("personalize:GetRecommendations",), tuple(PERSONALIZE_TYPES.values())),
    ],
    RELATED: [
        CONFIG,
        (("personalize:GetRecommendations",), tuple(PERSONALIZE_TYPES.values())),
    ],
    RANK: [
        CONFIG,
        (
            ("personalize:GetPersonalizedRanking",),
            (PERSONALIZE_TYPES["campaign"], PERSONALIZE_TYPES["filter"]),
        ),
    ],
    TRACK_EVENT: [
        (("events:PutEvents",), (BUS_ARN,)),
    ],
    PERSONALIZE_SYNC: [
        CONFIG,
        (("personalize:PutEvents",), (arn("personalize", "event-tracker/*"),)),
    ],
    PINPOINT_SYNC: [
        CONFIG,
        (
            ("mobiletargeting:PutEvents", "mobiletargeting:UpdateEndpoint"),
            (arn("mobiletargeting", "apps/*"),),
        ),
    ],
}
"""The AWS APIs each function may call, written out: the grants the stack must produce exactly."""


def role_of(template: Template, spec: FunctionSpec) -> str:
    role = Capture()
    template.has_resource_properties(
        "AWS::Lambda::Function", {"Handler": spec.handler, "Role": {"Fn::GetAtt": [role, "Arn"]}}
    )
    return role.as_string()


def log_group_of(template: Template, spec: FunctionSpec) -> str:
    log_group = Capture()
    template.has_resource_properties(
        "AWS::Lambda::Function", {"Handler": spec.handler, "LoggingConfig": {"LogGroup": {"Ref": log_group}}}
    )
    return log_group.as_string()


def statements_of_role(template: Template, role_id: str) -> set[Grant]:
    """Every statement of the policies attached to the role; each must be a plain Allow."""
    policies = template.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": Match.array_with([ref(role_id)])}}
    )
    statements = set()
    for policy in policies.values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            assert set(statement) == {"Action", "Effect", "Resource"}, statement
            actions, resources = statement["Action"], statement["Resource"]
            statements.add(
                grant(
                    actions if isinstance(actions, list) else [actions],
                    resources if isinstance(resources, list) else [resources],
                )
            )
    return statements


def test_every_function_is_deployed_once(template: Template) -> None:
    template.resource_properties_count_is(
        "AWS::Lambda::Function",
        {"Handler": Match.string_like_regexp(r"\.handler\.lambda_handler$")},
        len(FUNCTIONS),
    )
    for spec in FUNCTIONS:
        template.resource_properties_count_is("AWS::Lambda::Function", {"Handler": spec.handler}, 1)
    assert set(EXPECTED_ACCESS) == set(FUNCTIONS)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_function_runtime_sizing_and_tracing(template: Template, spec: FunctionSpec) -> None:
    layer = Capture()
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": spec.handler,
            "Runtime": "python3.13",
            "Architectures": ["arm64"],
            "MemorySize": MEMORY_MB[spec],
            "Timeout": spec.timeout_seconds,
            "TracingConfig": Match.object_equals({"Mode": "Active"}),
            "Description": spec.description,
            "Layers": [{"Ref": layer}],
        },
    )
    template.has_parameter(
        layer.as_string(),
        Match.object_equals(
            {
                "Type": "AWS::SSM::Parameter::Value<String>",
                "Default": "/aws/service/powertools/python/arm64/python3.13/"
                + locked_version("aws-lambda-powertools"),
            }
        ),
    )


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_function_logs_to_its_own_group_with_retention(template: Template, spec: FunctionSpec) -> None:
    template.template_matches(
        {
            "Resources": {
                log_group_of(template, spec): {
                    "Type": "AWS::Logs::LogGroup",
                    "Properties": {"RetentionInDays": 30},
                }
            }
        }
    )


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_function_environment_comes_from_its_settings_model(template: Template, spec: FunctionSpec) -> None:
    variables = Capture()
    template.has_resource_properties(
        "AWS::Lambda::Function", {"Handler": spec.handler, "Environment": {"Variables": variables}}
    )
    environment = cast(dict[str, Any], variables.as_object())  # the Variables object, popped below
    extra = {"EVENT_BUS_NAME": BUS_NAME} if "EVENT_BUS_NAME" in environment else {}
    sink_queues = _sink_queue_ids(template)
    if spec in sink_queues:
        dead_letter_queue = ref(_dead_letter_queue_id(template, sink_queues[spec]))
        assert environment.pop("DEAD_LETTER_QUEUE_URL") == dead_letter_queue, (
            "its own DLQ, to set poison aside"
        )
    expected = spec.settings_model.for_function(spec.name, DEFAULT_PREFIX, **extra).to_environment()
    assert environment == {
        **expected,
        "POWERTOOLS_LOGGER_LOG_EVENT": "false",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    }
    assert environment["POWERTOOLS_SERVICE_NAME"] == spec.name
    assert environment["POWERTOOLS_METRICS_NAMESPACE"] == METRICS_NAMESPACE
    assert environment["PARAMETER_PREFIX"] == DEFAULT_PREFIX
    assert environment["ALLOWED_ORIGINS"] == ",".join(DEFAULT_ALLOWED_ORIGINS)
    spec.settings_model.from_environment(environment)


def test_track_event_publishes_to_the_stacks_bus(template: Template) -> None:
    template.resource_count_is("AWS::Events::EventBus", 1)
    template.has_resource_properties("AWS::Events::EventBus", {"Name": BUS_NAME})
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"Handler": TRACK_EVENT.handler, "Environment": {"Variables": {"EVENT_BUS_NAME": BUS_NAME}}},
    )


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_each_function_has_its_own_least_privilege_role(template: Template, spec: FunctionSpec) -> None:
    role_id = role_of(template, spec)
    template.template_matches(
        {
            "Resources": {
                role_id: {
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": {
                            "Statement": [
                                Match.object_equals(
                                    {
                                        "Action": "sts:AssumeRole",
                                        "Effect": "Allow",
                                        "Principal": {"Service": "lambda.amazonaws.com"},
                                    }
                                )
                            ]
                        },
                        "ManagedPolicyArns": Match.absent(),
                    },
                }
            }
        }
    )
    bus_arn = get_att(template.get_resource_id("AWS::Events::EventBus"), "Arn")
    expected = {
        grant(actions, [bus_arn if resource == BUS_ARN else resource for resource in resources])
        for actions, resources in EXPECTED_ACCESS[spec]
    }
    expected.add(
        grant(["logs:CreateLogStream", "logs:PutLogEvents"], [get_att(log_group_of(template, spec), "Arn")])
    )
    expected.add(grant(XRAY_ACTIONS, ["*"]))
    sink_queues = _sink_queue_ids(template)
    if spec in sink_queues:
        expected.add(grant(SQS_CONSUMER, [get_att(sink_queues[spec], "Arn")]))
        dead_letter_queue = _dead_letter_queue_id(template, sink_queues[spec])
        expected.add(grant(SQS_SET_ASIDE, [get_att(dead_letter_queue, "Arn")]))
    assert statements_of_role(template, role_id) == expected


def test_no_role_has_a_wildcard_action(template: Template) -> None:
    everything = json.dumps("*")
    for spec in FUNCTIONS:
        for actions, resources in statements_of_role(template, role_of(template, spec)):
            assert all("*" not in action for action in actions), actions
            if resources == (everything,):
                assert actions == XRAY_ACTIONS, f"{spec.name}: only X-Ray may use Resource '*', not {actions}"


def test_roles_are_not_shared(template: Template) -> None:
    roles = [role_of(template, spec) for spec in FUNCTIONS]
    assert len(set(roles)) == len(roles)


def test_every_function_shares_one_code_asset_without_tests_or_caches(
    template: Template, synthesis: Synthesis
) -> None:
    keys = set()
    for spec in FUNCTIONS:
        key = Capture()
        template.has_resource_properties(
            "AWS::Lambda::Function", {"Handler": spec.handler, "Code": {"S3Key": key}}
        )
        keys.add(key.as_string())
    assert len(keys) == 1
    asset = synthesis.outdir / f"asset.{keys.pop().removesuffix('.zip')}"
    files = {path.relative_to(asset).as_posix() for path in asset.rglob("*") if path.is_file()}
    assert {f"{spec.name}/handler.py" for spec in FUNCTIONS} <= files
    assert "personalization/settings.py" in files
    assert not [name for name in files if "__pycache__" in name or name.endswith(".pyc") or "/tests/" in name]


def _dead_letter_queue_id(template: Template, queue_id: str) -> str:
    """The logical id of the dead-letter queue of a queue's redrive policy."""
    redrive = template.to_json()["Resources"][queue_id]["Properties"]["RedrivePolicy"]
    return str(redrive["deadLetterTargetArn"]["Fn::GetAtt"][0])


def _sink_queue_ids(template: Template) -> dict[FunctionSpec, str]:
    """Sink function -> logical id of the queue its one event source mapping reads; no other
    function has an event source mapping."""
    template.resource_count_is("AWS::Lambda::EventSourceMapping", len(SINKS))
    queues = {}
    for sink in SINKS:
        queue = Capture()
        reads = {"FunctionName": ref(function_id(template, sink.function))}
        template.resource_properties_count_is("AWS::Lambda::EventSourceMapping", reads, 1)
        template.has_resource_properties(
            "AWS::Lambda::EventSourceMapping", {**reads, "EventSourceArn": {"Fn::GetAtt": [queue, "Arn"]}}
        )
        queues[sink.function] = queue.as_string()
    return queues


def test_functions_are_looked_up_by_their_spec(synthesis: Synthesis) -> None:
    functions = synthesis.stacks[DEFAULT_STACK].functions
    assert list(functions.by_spec) == list(FUNCTIONS)
    for spec in FUNCTIONS:
        assert functions[spec] is functions.by_spec[spec]
        assert functions[spec].node.path.endswith(f"/{pascal_case(spec.name)}/Function")
    namesake = dataclasses.replace(FUNCTIONS[0], description="another function of the same name")
    with pytest.raises(KeyError, match=FUNCTIONS[0].name):
        functions[namesake]


def locked_version(package: str) -> str:
    """The version uv.lock pins for a package."""
    lock = tomllib.loads((REPOSITORY_ROOT / "uv.lock").read_text())
    (entry,) = [p for p in lock["package"] if p["name"] == package]
    return str(entry["version"])


def test_the_powertools_layer_is_the_locked_release_not_latest() -> None:
    assert POWERTOOLS_LAYER_PARAMETER.endswith(f"/{locked_version('aws-lambda-powertools')}")
    assert "latest" not in POWERTOOLS_LAYER_PARAMETER


def test_the_lambda_runtime_is_the_python_make_test_also_runs_on() -> None:
    makefile = (REPOSITORY_ROOT / "Makefile").read_text()
    (tested,) = re.findall(r"^LAMBDA_PYTHON_VERSION := (\S+)$", makefile, re.M)

    assert RUNTIME.name == f"python{tested}"
