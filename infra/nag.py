"""Acknowledging a cdk-nag finding this design accepts, on the construct it concerns, with its reason.

The packs (AwsSolutions, Serverless) run on every synth (infra.app); any finding not
acknowledged fails the synth. Each construct acknowledges the findings on the resources it
creates, where it creates them. cdk-nag v3 acknowledges one finding per id, so wildcard
resources are named exactly as the finding reports them. This module imports nothing of the stack.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """Accept `finding` on `construct` and everything below it, for `reason`."""
    Validations.of(construct).acknowledge(Acknowledgment(id=finding, reason=reason))
