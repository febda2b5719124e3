"""Builds the CDK app: the stack from the context settings, with the nag packs attached."""

from __future__ import annotations

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from infra.settings import DeploymentSettings
from infra.stack import RetailPersonalizationStack


def attach_nag_packs(app: App) -> None:
    """Any unacknowledged finding of either pack fails the synth (report: validation-report.json)."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))


def build_app(app: App) -> RetailPersonalizationStack:
    stack = RetailPersonalizationStack(app, DeploymentSettings.from_context(app.node))
    attach_nag_packs(app)
    return stack
