"""The event fan-out: bus, archive, rules equal to the shared patterns, queues, DLQs, mappings."""

from __future__ import annotations

from typing import Any

import pytest

from personalization.contracts.events import EVENT_SOURCE
from personalization.contracts.rules import RULES, RuleSpec
from personalization.contracts.topology import DLQ_RETENTION_DAYS, SINKS, FunctionSpec, SinkSpec
from tests.infra.cfn import function_of, only, ref_id, resources, text

pytestmark = pytest.mark.infra


def rule_for(template: dict[str, Any], rule: RuleSpec) -> dict[str, Any]:
    found = [
        resource["Properties"]
        for resource in resources(template, "AWS::Events::Rule").values()
        if resource["Properties"]["Description"].startswith(f"{rule.name}:")
    ]
    assert len(found) == 1, f"expected one rule {rule.name}, found {len(found)}"
    return found[0]


def sink_of(rule: RuleSpec) -> SinkSpec:
    (sink,) = [sink for sink in SINKS if sink.rule is rule]
    return sink


def mapping_of(template: dict[str, Any], function: FunctionSpec) -> dict[str, Any]:
    function_id, _ = function_of(template, function)
    (mapping,) = [
        resource["Properties"]
        for resource in resources(template, "AWS::Lambda::EventSourceMapping").values()
        if ref_id(resource["Properties"]["FunctionName"]) == function_id
    ]
    return mapping


def test_one_rule_per_shared_rule(template: dict[str, Any]) -> None:
    assert len(resources(template, "AWS::Events::Rule")) == len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_rule_pattern_equals_the_shared_pattern(template: dict[str, Any], rule: RuleSpec) -> None:
    bus_id, _ = only(template, "AWS::Events::EventBus")
    properties = rule_for(template, rule)
    assert properties["EventPattern"] == rule.pattern
    assert ref_id(properties["EventBusName"]) == bus_id
    assert properties["State"] == "ENABLED"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_rule_delivers_to_the_sink_queue_with_dlq_and_redrive(
    template: dict[str, Any], rule: RuleSpec
) -> None:
    sink = sink_of(rule)
    (target,) = rule_for(template, rule)["Targets"]
    queue_id = ref_id(target["Arn"])
    queue = template["Resources"][queue_id]["Properties"]
    dlq_id = ref_id(queue["RedrivePolicy"]["deadLetterTargetArn"])
    assert ref_id(target["DeadLetterConfig"]["Arn"]) == dlq_id
    assert queue["RedrivePolicy"]["maxReceiveCount"] == sink.max_receive_count
    assert queue["VisibilityTimeout"] == sink.visibility_timeout_seconds
    assert queue["VisibilityTimeout"] >= 6 * sink.function.timeout_seconds
    assert queue["SqsManagedSseEnabled"] is True
    dlq = template["Resources"][dlq_id]["Properties"]
    assert dlq["SqsManagedSseEnabled"] is True
    assert dlq["MessageRetentionPeriod"] == DLQ_RETENTION_DAYS * 24 * 3600 == 14 * 24 * 3600
    mapping = mapping_of(template, sink.function)
    assert ref_id(mapping["EventSourceArn"]) == queue_id
    assert mapping["BatchSize"] == sink.batch_size
    assert mapping["MaximumBatchingWindowInSeconds"] == sink.batching_window_seconds
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_queues_accept_only_tls_and_only_their_rule(template: dict[str, Any]) -> None:
    for policy in resources(template, "AWS::SQS::QueuePolicy").values():
        statements = text(policy["Properties"]["PolicyDocument"]["Statement"])
        assert any(
            statement["Effect"] == "Deny"
            and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for statement in statements
        )
        for statement in statements:
            if statement["Effect"] == "Allow":
                assert statement["Principal"] == {"Service": "events.amazonaws.com"}
                actions = (
                    statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                )
                assert "sqs:SendMessage" in actions
                assert set(actions) <= {"sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"}
                assert "aws:SourceArn" in statement["Condition"]["ArnEquals"]


def test_archive_keeps_every_storefront_event(template: dict[str, Any]) -> None:
    bus_id, _ = only(template, "AWS::Events::EventBus")
    _, archive = only(template, "AWS::Events::Archive")
    assert ref_id(archive["Properties"]["SourceArn"]) == bus_id
    assert archive["Properties"]["EventPattern"] == {"source": [EVENT_SOURCE]}
    assert archive["Properties"]["RetentionDays"] == 30


def test_bus_name_is_an_output(template: dict[str, Any]) -> None:
    bus_id, _ = only(template, "AWS::Events::EventBus")
    assert ref_id(template["Outputs"]["EventBusName"]["Value"]) == bus_id


def test_every_rule_feeds_exactly_one_sink() -> None:
    assert sorted(rule.name for rule in RULES) == sorted(sink.rule.name for sink in SINKS)
