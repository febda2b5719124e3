"""One in-process synthesis per test session: the app as `npx cdk synth` builds it, plus a
second stack with every option on (hosting, alarm email, the demo's experiments document), both
checked by the nag packs."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk import App
from aws_cdk.assertions import Template

from experiments.documents import DEMO_DOCUMENT_PATH
from infra.app import build_app
from infra.settings import DeploymentSettings
from infra.stack import RetailPersonalizationStack
from repository import REPOSITORY_ROOT as REPO_ROOT

DEFAULT_STACK = "RetailPersonalization"
HOSTED_STACK = "RetailPersonalizationHosted"
PRODUCTION_STACK = "RetailPersonalizationProduction"
"""Profile emulation off, the web ACL on, the user pool deleted with the stack."""
ALARM_EMAIL = "ops@example.com"


@dataclass(frozen=True)
class Synthesis:
    outdir: Path
    stacks: dict[str, RetailPersonalizationStack]
    error: str | None
    """The synth failure (the nag packs fail the synth on any unacknowledged finding)."""

    def template(self, stack_name: str) -> dict[str, Any]:
        return json.loads((self.outdir / f"{stack_name}.template.json").read_text())

    def validation_report(self) -> dict[str, Any] | None:
        path = self.outdir / "validation-report.json"
        return json.loads(path.read_text()) if path.exists() else None

    def acknowledgments(self, stack_name: str) -> dict[str, dict[str, str]]:
        """Construct path -> {finding: reason}, as CDK records them in the stack's metadata."""
        metadata = json.loads((self.outdir / f"{stack_name}.metadata.json").read_text())
        return {
            path: entry["data"]
            for path, entries in metadata.items()
            for entry in entries
            if entry["type"] == "aws:cdk:acknowledged-rules"
        }


def cdk_json_context() -> dict[str, Any]:
    return dict(json.loads((REPO_ROOT / "cdk.json").read_text())["context"])


@pytest.fixture(scope="session")
def synthesis(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = App(context=cdk_json_context(), outdir=str(outdir))
    default = build_app(app)
    hosted = RetailPersonalizationStack(
        app,
        DeploymentSettings.from_mapping(
            {
                "stackName": HOSTED_STACK,
                "hosting": True,
                "alarmEmail": ALARM_EMAIL,
                "experimentsFile": str(DEMO_DOCUMENT_PATH),
            }
        ),
    )
    production = RetailPersonalizationStack(
        app,
        DeploymentSettings.from_mapping(
            {
                "stackName": PRODUCTION_STACK,
                "profileEmulation": "false",
                "waf": "true",
                "wafRateLimit": "500",
                "userPoolDeletionProtection": "false",
            }
        ),
    )
    try:
        app.synth()
        error = None
    except RuntimeError as failure:
        error = str(failure)
    return Synthesis(
        outdir, {DEFAULT_STACK: default, HOSTED_STACK: hosted, PRODUCTION_STACK: production}, error
    )


@pytest.fixture(scope="session")
def template(synthesis: Synthesis) -> Template:
    """The template of the stack `npx cdk synth` builds with the default context."""
    return Template.from_json(synthesis.template(DEFAULT_STACK))


@pytest.fixture(scope="session")
def production_template(synthesis: Synthesis) -> Template:
    """The stack a production deployment would run: no profile emulation, the WAF web ACL."""
    return Template.from_json(synthesis.template(PRODUCTION_STACK))


@pytest.fixture(scope="session")
def hosted_template(synthesis: Synthesis) -> Template:
    """The stack with every option on: hosting, the alarm email, the demo's experiments document."""
    return Template.from_json(synthesis.template(HOSTED_STACK))
