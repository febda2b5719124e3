"""cdk-nag (AwsSolutions + Serverless) on every synth, cfn-lint on the templates, the CLI synth."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_sqs as sqs
from cfnlint.api import ManualArgs, lint_file

from infra.app import attach_nag_packs
from repository import REPOSITORY_ROOT as REPO_ROOT
from tests.infra.conftest import DEFAULT_STACK, HOSTED_STACK, Synthesis

pytestmark = pytest.mark.infra

MIN_REASON_LENGTH = 40


def test_nag_packs_report_no_unacknowledged_finding(synthesis: Synthesis) -> None:
    report = synthesis.validation_report()
    findings = [
        f"{violation['ruleName']} at {construct['constructPath']}"
        for plugin in (report or {}).get("pluginReports", [])
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]
    assert findings == []
    assert synthesis.error is None


def test_nag_packs_fail_a_synth_with_an_unacknowledged_finding(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path))
    sqs.Queue(Stack(app, "Probe"), "QueueWithoutDeadLetterQueue", enforce_ssl=True)
    attach_nag_packs(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {
        violation["ruleName"] for plugin in report["pluginReports"] for violation in plugin["violations"]
    }
    assert {"AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"} <= rules


@pytest.mark.parametrize("stack_name", [DEFAULT_STACK, HOSTED_STACK])
def test_every_acknowledgment_gives_its_reason(synthesis: Synthesis, stack_name: str) -> None:
    acknowledgments = synthesis.acknowledgments(stack_name)
    assert acknowledgments
    for path, findings in acknowledgments.items():
        for finding, reason in findings.items():
            assert finding.split("::", 1)[-1].startswith(("AwsSolutions-", "Serverless-")), finding
            assert len(reason) >= MIN_REASON_LENGTH, f"{path}: {finding} needs a reason"


@pytest.mark.parametrize("stack_name", [DEFAULT_STACK, HOSTED_STACK])
def test_cfn_lint_reports_no_errors(synthesis: Synthesis, stack_name: str) -> None:
    matches = lint_file(
        Path(synthesis.outdir / f"{stack_name}.template.json"),
        config=ManualArgs(regions=["us-east-1", "eu-west-1"]),
    )
    errors = [
        f"{match.rule.id} {match.message} ({match.path})"
        for match in matches
        if match.rule.id.startswith("E")
    ]
    assert errors == []


def test_cdk_cli_synthesizes_offline(tmp_path: Path) -> None:
    """`npx cdk synth` as a user runs it: the pinned CLI, cdk.json's venv python, no AWS credentials."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("AWS_") or key == "AWS_REGION"
    }
    environment["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    completed = subprocess.run(
        [
            str(REPO_ROOT / "node_modules" / ".bin" / "cdk"),
            "synth",
            "--quiet",
            "--no-notices",
            "-o",
            str(tmp_path),
        ],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert (tmp_path / f"{DEFAULT_STACK}.template.json").exists()
