"""Every function: runtime, architecture, layer, asset, sizing, tracing, logs, environment, role."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from infra.deployment import MEMORY_MB
from infra.naming import pascal_case
from personalization.contracts.parameters import DEFAULT_PREFIX
from personalization.contracts.topology import FUNCTIONS, SINKS, FunctionSpec
from personalization.settings import DEFAULT_ALLOWED_ORIGINS, METRICS_NAMESPACE
from tests.infra.cfn import function_of, only, ref_id, resources, text
from tests.infra.conftest import DEFAULT_STACK, Synthesis

pytestmark = pytest.mark.infra

BUS_NAME = "RetailPersonalization-events"


def arn(service: str, resource: str) -> str:
    """An ARN in the stack's account and region, as the template spells it."""
    return f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"


PERSONALIZE_TYPES = {kind: arn("personalize", f"{kind}/*") for kind in ("campaign", "recommender", "filter")}
CONFIG = (("ssm:GetParametersByPath",), (arn("ssm", "parameter/retail-personalization"),))
XRAY = (("xray:PutTelemetryRecords", "xray:PutTraceSegments"), ("*",))
SQS_CONSUMER = (
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
)

EXPECTED_ACCESS: dict[str, set[tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "recommend": {
        CONFIG,
        (("personalize:GetRecommendations",), tuple(PERSONALIZE_TYPES.values())),
    },
    "related": {
        CONFIG,
        (("personalize:GetRecommendations",), tuple(PERSONALIZE_TYPES.values())),
    },
    "rank": {
        CONFIG,
        (
            ("personalize:GetPersonalizedRanking",),
            (PERSONALIZE_TYPES["campaign"], PERSONALIZE_TYPES["filter"]),
        ),
    },
    "track_event": {
        (("events:PutEvents",), ("${EventsBus.Arn}",)),
    },
    "personalize_sync": {
        CONFIG,
        (("personalize:PutEvents",), (arn("personalize", "event-tracker/*"),)),
    },
    "pinpoint_sync": {
        CONFIG,
        (
            ("mobiletargeting:PutEvents", "mobiletargeting:UpdateEndpoint"),
            (arn("mobiletargeting", "apps/*"),),
        ),
    },
}
"""The AWS APIs each function may call, written out: the grants the stack must produce exactly."""


def statements_of_role(
    template: dict[str, Any], role_id: str
) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    statements = set()
    for policy in resources(template, "AWS::IAM::Policy").values():
        properties = policy["Properties"]
        if role_id not in [ref_id(role) for role in properties["Roles"]]:
            continue
        for statement in text(properties["PolicyDocument"]["Statement"]):
            assert statement["Effect"] == "Allow"
            assert set(statement) == {"Action", "Effect", "Resource"}, statement
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources_ = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            statements.add((tuple(sorted(actions)), tuple(sorted(resources_))))
    return statements


def normalized(
    expected: set[tuple[tuple[str, ...], tuple[str, ...]]],
) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    return {(tuple(sorted(actions)), tuple(sorted(resources_))) for actions, resources_ in expected}


def test_every_function_is_deployed_once(template: dict[str, Any]) -> None:
    handlers = sorted(
        resource["Properties"]["Handler"]
        for resource in resources(template, "AWS::Lambda::Function").values()
        if resource["Properties"].get("Handler", "").endswith(".handler.lambda_handler")
    )
    assert handlers == sorted(spec.handler for spec in FUNCTIONS)
    assert set(EXPECTED_ACCESS) == {spec.name for spec in FUNCTIONS}


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_function_runtime_sizing_and_tracing(template: dict[str, Any], spec: FunctionSpec) -> None:
    _, properties = function_of(template, spec)
    assert properties["Runtime"] == "python3.14"
    assert properties["Architectures"] == ["arm64"]
    assert properties["MemorySize"] == MEMORY_MB[spec]
    assert properties["Timeout"] == spec.timeout_seconds
    assert properties["TracingConfig"] == {"Mode": "Active"}
    assert properties["Description"] == spec.description
    (layer,) = properties["Layers"]
    assert template["Parameters"][layer["Ref"]] == {
        "Type": "AWS::SSM::Parameter::Value<String>",
        "Default": "/aws/service/powertools/python/arm64/python3.14/latest",
    }


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_function_logs_to_its_own_group_with_retention(template: dict[str, Any], spec: FunctionSpec) -> None:
    _, properties = function_of(template, spec)
    log_group = template["Resources"][ref_id(properties["LoggingConfig"]["LogGroup"])]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == 30


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_function_environment_comes_from_its_settings_model(
    template: dict[str, Any], spec: FunctionSpec
) -> None:
    _, properties = function_of(template, spec)
    environment = properties["Environment"]["Variables"]
    extra = {"EVENT_BUS_NAME": BUS_NAME} if "EVENT_BUS_NAME" in environment else {}
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


def test_track_event_publishes_to_the_stacks_bus(template: dict[str, Any]) -> None:
    (spec,) = [spec for spec in FUNCTIONS if spec.name == "track_event"]
    _, properties = function_of(template, spec)
    (bus,) = resources(template, "AWS::Events::EventBus").values()
    assert properties["Environment"]["Variables"]["EVENT_BUS_NAME"] == bus["Properties"]["Name"] == BUS_NAME


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_each_function_has_its_own_least_privilege_role(template: dict[str, Any], spec: FunctionSpec) -> None:
    _, properties = function_of(template, spec)
    role_id = ref_id(properties["Role"])
    role = template["Resources"][role_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
    ]
    assert "ManagedPolicyArns" not in role
    log_group_id = ref_id(properties["LoggingConfig"]["LogGroup"])
    expected = {
        *EXPECTED_ACCESS[spec.name],
        (("logs:CreateLogStream", "logs:PutLogEvents"), (f"${{{log_group_id}.Arn}}",)),
        XRAY,
    }
    bus_id, _ = only(template, "AWS::Events::EventBus")
    expected = {
        (actions, tuple(r.replace("EventsBus.", f"{bus_id}.") for r in res)) for actions, res in expected
    }
    sink_queues = _sink_queue_ids(template)
    if spec.name in sink_queues:
        expected.add((SQS_CONSUMER, (f"${{{sink_queues[spec.name]}.Arn}}",)))
    assert statements_of_role(template, role_id) == normalized(expected)


def test_no_role_has_a_wildcard_action(template: dict[str, Any]) -> None:
    for spec in FUNCTIONS:
        role_id = ref_id(function_of(template, spec)[1]["Role"])
        for actions, resources_ in statements_of_role(template, role_id):
            assert all("*" not in action for action in actions), actions
            if resources_ == ("*",):
                assert actions == XRAY[0], f"{spec.name}: only X-Ray may use Resource '*', not {actions}"


def test_roles_are_not_shared(template: dict[str, Any]) -> None:
    roles = [ref_id(function_of(template, spec)[1]["Role"]) for spec in FUNCTIONS]
    assert len(set(roles)) == len(roles)


def test_every_function_shares_one_code_asset_without_tests_or_caches(
    template: dict[str, Any], synthesis: Synthesis
) -> None:
    keys = {function_of(template, spec)[1]["Code"]["S3Key"] for spec in FUNCTIONS}
    assert len(keys) == 1
    asset = synthesis.outdir / f"asset.{keys.pop().removesuffix('.zip')}"
    files = {path.relative_to(asset).as_posix() for path in asset.rglob("*") if path.is_file()}
    assert {f"{spec.name}/handler.py" for spec in FUNCTIONS} <= files
    assert "personalization/settings.py" in files
    assert not [name for name in files if "__pycache__" in name or name.endswith(".pyc") or "/tests/" in name]


def _sink_queue_ids(template: dict[str, Any]) -> dict[str, str]:
    """Function name -> logical id of the queue its event source mapping reads."""
    handlers = {
        logical_id: resource["Properties"]["Handler"].split(".")[0]
        for logical_id, resource in resources(template, "AWS::Lambda::Function").items()
    }
    queues = {}
    for mapping in resources(template, "AWS::Lambda::EventSourceMapping").values():
        properties = mapping["Properties"]
        queues[handlers[ref_id(properties["FunctionName"])]] = ref_id(properties["EventSourceArn"])
    assert set(queues) == {sink.function.name for sink in SINKS}
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
