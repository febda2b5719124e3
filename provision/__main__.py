"""`python -m provision up|down|status`: Amazon Personalize from a generated dataset, ARNs into SSM.

Exit codes: 0 done, 1 the run stopped (a failed resource, a timeout, an AWS error), 2 bad arguments
(nothing was created).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, TextIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoRegionError

from provision.dataset_files import load_dataset
from provision.engine import Clock, Engine, Progress, ProvisionError, SystemClock
from provision.resources import build_stages, static_parameters
from provision.settings import (
    DEFAULT_STACK_NAME,
    USE_CASES,
    ArgumentError,
    ProvisionSettings,
    base_name_for,
    load_stack_outputs,
    parse_recipe_overrides,
)
from provision.storage import ParameterStore

ClientFactory = Callable[[str, "str | None"], Any]

CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=60,
    retries={"mode": "standard", "total_max_attempts": 6},
)
"""Control-plane calls: a few slow ones (uploads), retried with backoff on throttling."""


def boto3_client(service: str, region: str | None) -> Any:
    return boto3.session.Session(region_name=region).client(service, config=CLIENT_CONFIG)  # type: ignore[call-overload]


class Clients:
    """AWS clients, created on first use (bad arguments are reported before any is built)."""

    def __init__(self, factory: ClientFactory, region: str | None) -> None:
        self._factory = factory
        self._region = region

    @cached_property
    def personalize(self) -> Any:
        return self._factory("personalize", self._region)

    @cached_property
    def s3(self) -> Any:
        return self._factory("s3", self._region)

    @cached_property
    def ssm(self) -> Any:
        return self._factory("ssm", self._region)


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m provision", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, summary in (
        ("up", "create (or find) every resource, wait for it, write the SSM parameters"),
        ("down", "reset the SSM parameters to NONE and delete what `up` created, in reverse order"),
        ("status", "show each resource, its state and the SSM parameters"),
    ):
        command = commands.add_parser(name, help=summary, description=summary)
        command.add_argument(
            "--stack-outputs",
            type=Path,
            default=Path("outputs.json"),
            help="`npx cdk deploy --outputs-file` output (default: outputs.json)",
        )
        command.add_argument("--stack-name", default=DEFAULT_STACK_NAME)
        command.add_argument("--prefix", help="SSM parameter prefix (default: the stack's ParameterPrefix)")
        command.add_argument("--region", help="AWS region (default: the AWS SDK's)")
        if name == "up":
            command.add_argument(
                "--dataset", type=Path, required=True, help="folder written by `python -m dataset generate`"
            )
            command.add_argument(
                "--recipe",
                action="append",
                default=[],
                metavar="USE_CASE=RECIPE_ARN",
                help=f"override a use case's recipe; use cases: {', '.join(u.key for u in USE_CASES)}",
            )
            command.add_argument(
                "--dry-run", action="store_true", help="print the plan; create and write nothing"
            )
    return parser.parse_args(argv)


def build_engine(arguments: argparse.Namespace, clients: Clients, clock: Clock, out: TextIO) -> Engine:
    """Validate everything the command was given (ArgumentError), then wire the engine."""
    outputs = load_stack_outputs(arguments.stack_outputs, arguments.stack_name)
    prefix = arguments.prefix or outputs.parameter_prefix
    recipes = {u.key: u.default_recipe_arn for u in USE_CASES}
    recipes.update(parse_recipe_overrides(getattr(arguments, "recipe", [])))
    settings = ProvisionSettings(
        prefix=prefix, base_name=base_name_for(prefix), recipes=MappingProxyType(recipes)
    )
    dataset = (
        load_dataset(arguments.dataset, settings.training_event_type) if arguments.command == "up" else None
    )
    return Engine(
        build_stages(clients.personalize, clients.s3, settings, outputs, dataset),
        ParameterStore(clients.ssm, prefix),
        Progress(out, clock),
        clock,
        static_parameters(dataset),
    )


def main(
    argv: Sequence[str] | None = None,
    client_factory: ClientFactory = boto3_client,
    clock: Clock | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    clients = Clients(client_factory, arguments.region)
    try:
        engine = build_engine(arguments, clients, clock or SystemClock(), out)
    except ArgumentError as error:
        print(f"error: {error}", file=err)
        return 2
    except NoRegionError:
        print("error: no AWS region: pass --region or set AWS_REGION", file=err)
        return 2
    try:
        if arguments.command == "up":
            engine.up(dry_run=arguments.dry_run)
        elif arguments.command == "down":
            engine.down()
        else:
            engine.status()
    except ProvisionError as error:
        print(f"stopped: {error}", file=err)
        return 1
    except (ClientError, BotoCoreError) as error:
        print(f"stopped: AWS error: {error}", file=err)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
