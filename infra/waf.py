"""The optional web ACL on the API stage (`-c waf=true`): a per-IP rate limit and AWS's managed rules.

Rules, in order: a rate-based rule blocking an IP that sends more than `wafRateLimit` requests in
5 minutes; AWS's common rule set (its 8 KB body-size rule only counts: the API bounds bodies itself
at 64 KiB, and a POST /rank of 500 ids or a full events batch can pass 8 KB); and the known-bad-inputs
rule set. Every rule sends metrics and samples to CloudWatch.
"""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

RATE_WINDOW_SECONDS = 300
BODY_SIZE_RULE = "SizeRestrictions_BODY"
MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


def _managed_rule(priority: int, name: str) -> wafv2.CfnWebACL.RuleProperty:
    overrides = (
        [
            wafv2.CfnWebACL.RuleActionOverrideProperty(
                name=BODY_SIZE_RULE, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
            )
        ]
        if name == "AWSManagedRulesCommonRuleSet"
        else None
    )
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=name, rule_action_overrides=overrides
            )
        ),
        visibility_config=_visibility(name),
    )


class ApiFirewall(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, stage: apigw.Stage, rate_limit: int, name: str
    ) -> None:
        super().__init__(scope, construct_id)
        rate_rule = wafv2.CfnWebACL.RuleProperty(
            name="RatePerIp",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=rate_limit, aggregate_key_type="IP", evaluation_window_sec=RATE_WINDOW_SECONDS
                )
            ),
            visibility_config=_visibility("RatePerIp"),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=name,
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[
                rate_rule,
                *(_managed_rule(index + 1, group) for index, group in enumerate(MANAGED_RULE_GROUPS)),
            ],
            visibility_config=_visibility(name),
        )
        self.association = wafv2.CfnWebACLAssociation(
            self, "Association", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn
        )
