"""The event fan-out: bus, archive, rules equal to the shared patterns, queues, DLQs, mappings."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aws_cdk.assertions import Capture, Match, Template

from personalization.contracts.events import EVENT_SOURCE
from personalization.contracts.rules import RULES, RuleSpec
from personalization.contracts.topology import ANALYTICS_STREAM, DLQ_RETENTION_DAYS, SINKS, SinkSpec
from personalization.settings import DEAD_LETTER_QUEUE_URL
from tests.infra.cfn import function_id, get_att, ref

pytestmark = pytest.mark.infra

EVENTS_MAY_SEND = {"sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"}


def rule_of(rule: RuleSpec) -> dict[str, Any]:
    """The properties pattern that singles out the shared rule's EventBridge rule (by its description)."""
    return {"Description": Match.string_like_regexp(f"^{re.escape(rule.name)}:")}


def targets_of(template: Template, rule: RuleSpec) -> tuple[str, str]:
    """The logical ids of the rule's one target queue and of that target's dead-letter queue."""
    queue, dead_letter_queue = Capture(), Capture()
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            **rule_of(rule),
            "Targets": [
                {
                    "Arn": {"Fn::GetAtt": [queue, "Arn"]},
                    "DeadLetterConfig": {"Arn": {"Fn::GetAtt": [dead_letter_queue, "Arn"]}},
                }
            ],
        },
    )
    return queue.as_string(), dead_letter_queue.as_string()


def test_one_rule_per_shared_rule(template: Template) -> None:
    template.resource_count_is("AWS::Events::Rule", len(RULES))


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_rule_pattern_equals_the_shared_pattern(template: Template, rule: RuleSpec) -> None:
    template.resource_properties_count_is("AWS::Events::Rule", rule_of(rule), 1)
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            **rule_of(rule),
            "EventPattern": Match.object_equals(rule.pattern),
            "EventBusName": ref(template.get_resource_id("AWS::Events::EventBus")),
            "State": "ENABLED",
        },
    )


@pytest.mark.parametrize("sink", SINKS, ids=lambda sink: sink.rule.name)
def test_rule_delivers_to_the_sink_queue_with_dlq_and_redrive(template: Template, sink: SinkSpec) -> None:
    queue_id, dlq_id = targets_of(template, sink.rule)
    assert sink.visibility_timeout_seconds >= 6 * sink.function.timeout_seconds
    assert DLQ_RETENTION_DAYS * 24 * 3600 == 14 * 24 * 3600
    template.template_matches(
        {
            "Resources": {
                queue_id: {
                    "Type": "AWS::SQS::Queue",
                    "Properties": {
                        "RedrivePolicy": Match.object_equals(
                            {
                                "deadLetterTargetArn": get_att(dlq_id, "Arn"),
                                "maxReceiveCount": sink.max_receive_count,
                            }
                        ),
                        "VisibilityTimeout": sink.visibility_timeout_seconds,
                        "SqsManagedSseEnabled": True,
                    },
                },
                dlq_id: {
                    "Type": "AWS::SQS::Queue",
                    "Properties": {
                        "SqsManagedSseEnabled": True,
                        "MessageRetentionPeriod": DLQ_RETENTION_DAYS * 24 * 3600,
                    },
                },
            }
        }
    )
    reads = {"FunctionName": ref(function_id(template, sink.function))}
    template.resource_properties_count_is("AWS::Lambda::EventSourceMapping", reads, 1)
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            **reads,
            "EventSourceArn": get_att(queue_id, "Arn"),
            "BatchSize": sink.batch_size,
            "MaximumBatchingWindowInSeconds": sink.batching_window_seconds,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )


@pytest.mark.parametrize("sink", SINKS, ids=lambda sink: sink.rule.name)
def test_the_sink_function_sets_aside_in_its_own_dead_letter_queue_and_backs_off_on_its_queue(
    template: Template, sink: SinkSpec
) -> None:
    """DEAD_LETTER_QUEUE_URL names the sink's DLQ, the only queue the function may send to; the
    event source's grant lets it change the visibility of its own queue's messages."""
    queue_id, dlq_id = targets_of(template, sink.rule)
    function = template.find_resources("AWS::Lambda::Function")[function_id(template, sink.function)]
    assert function["Properties"]["Environment"]["Variables"][DEAD_LETTER_QUEUE_URL] == ref(dlq_id)
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    grants: dict[str, list[Any]] = {}
    for policy in template.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": [ref(role_id)]}}
    ).values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            for action in actions:
                grants.setdefault(action, []).append(statement["Resource"])
    assert grants["sqs:SendMessage"] == [get_att(dlq_id, "Arn")]
    assert grants["sqs:ChangeMessageVisibility"] == [get_att(queue_id, "Arn")]


def senders_of_queues(template: Template) -> dict[str, str]:
    """Queue logical id -> logical id of the rule that sends to it, as its target or as the target's
    dead-letter queue.

    The library matches a target's `Fn::GetAtt` but does not say which resource it points at."""
    queues = template.find_resources("AWS::SQS::Queue")
    senders = {}
    for rule_id, rule in template.find_resources("AWS::Events::Rule").items():
        for target in rule["Properties"]["Targets"]:
            for arn in (target["Arn"], target.get("DeadLetterConfig", {}).get("Arn")):
                if isinstance(arn, dict) and arn.get("Fn::GetAtt", [None])[0] in queues:
                    senders[arn["Fn::GetAtt"][0]] = rule_id
    return senders


def test_queues_accept_only_tls_and_only_their_rule(template: Template) -> None:
    """Each queue a rule sends to: a TLS-only deny, and an allow for EventBridge from that rule only."""
    senders = senders_of_queues(template)
    assert len(senders) >= 2 * len(SINKS)
    template.resource_count_is("AWS::SQS::QueuePolicy", len(senders))
    for queue_id, rule_id in senders.items():
        policies = template.find_resources(
            "AWS::SQS::QueuePolicy",
            {
                "Properties": {
                    "Queues": [ref(queue_id)],
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Deny",
                                "Condition": Match.object_equals({"Bool": {"aws:SecureTransport": "false"}}),
                                "Resource": get_att(queue_id, "Arn"),
                            },
                            {
                                "Effect": "Allow",
                                "Principal": Match.object_equals({"Service": "events.amazonaws.com"}),
                                "Action": Match.any_value(),
                                "Condition": Match.object_equals(
                                    {"ArnEquals": {"aws:SourceArn": get_att(rule_id, "Arn")}}
                                ),
                                "Resource": get_att(queue_id, "Arn"),
                            },
                        ]
                    },
                }
            },
        )
        assert len(policies) == 1, f"{queue_id}: expected one policy as described, found {sorted(policies)}"
        (policy,) = policies.values()
        action = policy["Properties"]["PolicyDocument"]["Statement"][1]["Action"]
        allowed = set(action) if isinstance(action, list) else {action}
        assert "sqs:SendMessage" in allowed
        assert allowed <= EVENTS_MAY_SEND


def test_archive_keeps_every_storefront_event(template: Template) -> None:
    template.resource_count_is("AWS::Events::Archive", 1)
    template.has_resource_properties(
        "AWS::Events::Archive",
        {
            "SourceArn": get_att(template.get_resource_id("AWS::Events::EventBus"), "Arn"),
            "EventPattern": Match.object_equals({"source": [EVENT_SOURCE]}),
            "RetentionDays": 30,
        },
    )


def test_bus_name_is_an_output(template: Template) -> None:
    template.has_output("EventBusName", {"Value": ref(template.get_resource_id("AWS::Events::EventBus"))})


def test_every_rule_feeds_exactly_one_sink_or_the_analytics_stream() -> None:
    fed = [sink.rule.name for sink in SINKS] + [ANALYTICS_STREAM.rule.name]
    assert sorted(rule.name for rule in RULES) == sorted(fed)
