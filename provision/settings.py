"""What a provisioning run is told: the CDK stack outputs, the names and the recipes per use case."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from personalization.contracts import parameters

DEFAULT_STACK_NAME = "RetailPersonalization"
TRAINING_EVENT_TYPE = "ProductViewed"
MIN_PROVISIONED_TPS = 1


class ArgumentError(Exception):
    """Bad input to the command (exit code 2); the message says what to change."""


@dataclass(frozen=True)
class UseCase:
    """One read use case: the solution and campaign behind one SSM parameter."""

    key: str
    parameter: str
    default_recipe_arn: str


USE_CASES: tuple[UseCase, ...] = (
    UseCase(
        "user-personalization",
        parameters.USER_PERSONALIZATION_ARN,
        "arn:aws:personalize:::recipe/aws-user-personalization-v2",
    ),
    UseCase("related-items", parameters.RELATED_ITEMS_ARN, "arn:aws:personalize:::recipe/aws-sims"),
    UseCase(
        "personalized-ranking",
        parameters.PERSONALIZED_RANKING_ARN,
        "arn:aws:personalize:::recipe/aws-personalized-ranking-v2",
    ),
)

_RECIPE_ARN = re.compile(r"^arn:aws[a-z-]*:personalize:::recipe/[A-Za-z0-9][A-Za-z0-9_-]*$")
_RESOURCE_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{0,40}$")


@dataclass(frozen=True)
class StackOutputs:
    bucket_name: str
    role_arn: str
    parameter_prefix: str


def load_stack_outputs(path: Path, stack_name: str = DEFAULT_STACK_NAME) -> StackOutputs:
    """Read `npx cdk deploy --outputs-file` output: {"<stack>": {"DataBucketName": ..., ...}}."""
    if not path.is_file():
        raise ArgumentError(
            f"stack outputs file {path} not found: deploy with `npx cdk deploy --outputs-file {path}` first"
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ArgumentError(f"stack outputs file {path} is not JSON: {error}") from error
    outputs = document.get(stack_name) if isinstance(document, dict) else None
    if not isinstance(outputs, dict):
        raise ArgumentError(f"stack outputs file {path} has no stack named {stack_name!r} (use --stack-name)")
    wanted = ("DataBucketName", "PersonalizeRoleArn", "ParameterPrefix")
    missing = [key for key in wanted if not isinstance(outputs.get(key), str) or not outputs[key]]
    if missing:
        raise ArgumentError(f"stack outputs file {path} lacks {', '.join(missing)} for stack {stack_name!r}")
    return StackOutputs(outputs["DataBucketName"], outputs["PersonalizeRoleArn"], outputs["ParameterPrefix"])


def base_name_for(prefix: str) -> str:
    """Personalize names derive from the prefix: /retail-personalization -> retail-personalization."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", prefix.strip("/")) or "retail-personalization"


@dataclass(frozen=True)
class ProvisionSettings:
    prefix: str = parameters.DEFAULT_PREFIX
    base_name: str = "retail-personalization"
    recipes: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({u.key: u.default_recipe_arn for u in USE_CASES})
    )
    training_event_type: str = TRAINING_EVENT_TYPE
    min_provisioned_tps: int = MIN_PROVISIONED_TPS

    def __post_init__(self) -> None:
        if not _RESOURCE_NAME.match(self.base_name):
            raise ArgumentError(
                f"resource name prefix {self.base_name!r} must be 1-41 letters, digits, '-' or '_'"
            )
        unknown = sorted(set(self.recipes) - {u.key for u in USE_CASES})
        if unknown:
            raise ArgumentError(f"unknown use case(s) {unknown}; known: {[u.key for u in USE_CASES]}")
        for key, arn in self.recipes.items():
            if not _RECIPE_ARN.match(arn):
                example = USE_CASES[0].default_recipe_arn
                raise ArgumentError(f"recipe for {key} must be a recipe ARN like {example}, got {arn!r}")

    def recipe_for(self, use_case: UseCase) -> str:
        return self.recipes.get(use_case.key, use_case.default_recipe_arn)


def parse_recipe_overrides(values: list[str]) -> dict[str, str]:
    """`--recipe related-items=arn:aws:personalize:::recipe/aws-similar-items` (repeatable)."""
    overrides: dict[str, str] = {}
    for value in values:
        key, separator, arn = value.partition("=")
        if not separator or not key or not arn:
            raise ArgumentError(f"--recipe takes USE_CASE=RECIPE_ARN, got {value!r}")
        overrides[key.strip()] = arn.strip()
    return overrides
