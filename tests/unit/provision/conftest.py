"""A small generated dataset, stack outputs, moto S3/SSM seeded like the CDK stack, a stubbed Personalize."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from dataset import GeneratorConfig, generate
from dataset.config import STYLE_COUNT
from personalization.contracts.parameters import (
    DEFAULT_PREFIX,
    FEATURED_ITEM_IDS,
    NOT_CONFIGURED,
    all_parameters,
    full_name,
)
from provision.__main__ import main
from provision.dataset_files import Dataset, load_dataset
from tests.unit.provision.script import BASE, BUCKET, ROLE_ARN, PersonalizeScript, resources

REGION = "us-east-1"


@pytest.fixture(scope="session")
def dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dataset") / "out"
    generate(folder, GeneratorConfig(seed=7, users=30, items=STYLE_COUNT, interactions=2500))
    return folder


@pytest.fixture(scope="session")
def dataset(dataset_dir: Path) -> Dataset:
    return load_dataset(dataset_dir, "ProductViewed")


@pytest.fixture
def outputs_file(tmp_path: Path) -> Path:
    path = tmp_path / "outputs.json"
    stack = {"DataBucketName": BUCKET, "PersonalizeRoleArn": ROLE_ARN, "ParameterPrefix": DEFAULT_PREFIX}
    path.write_text(json.dumps({"RetailPersonalization": stack}), encoding="utf-8")
    return path


class FakeClock:
    """Time moves only when the run sleeps."""

    def __init__(self) -> None:
        self.time = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds


@dataclass
class Account:
    """moto S3 and SSM as the CDK stack leaves them, a stubbed Personalize client, and the run's output."""

    s3: Any
    ssm: Any
    personalize: Any
    stubber: Stubber
    script: PersonalizeScript
    outputs_file: Path
    dataset_dir: Path
    clock: FakeClock = field(default_factory=FakeClock)
    requested: list[str] = field(default_factory=list)
    out: io.StringIO = field(default_factory=io.StringIO)
    err: io.StringIO = field(default_factory=io.StringIO)

    def client(self, service: str, _region: str | None) -> Any:
        self.requested.append(service)
        return {"personalize": self.personalize, "s3": self.s3, "ssm": self.ssm}[service]

    def run(self, *arguments: str) -> int:
        self.out, self.err = io.StringIO(), io.StringIO()
        extra = (
            ["--dataset", str(self.dataset_dir)]
            if arguments[0] == "up" and "--dataset" not in arguments
            else []
        )
        return main(
            [*arguments, "--stack-outputs", str(self.outputs_file), *extra],
            client_factory=self.client,
            clock=self.clock,
            out=self.out,
            err=self.err,
        )

    def parameters(self) -> dict[str, str]:
        names = [full_name(DEFAULT_PREFIX, name) for name in all_parameters()]
        values = {}
        for start in range(0, len(names), 10):
            for parameter in self.ssm.get_parameters(Names=names[start : start + 10])["Parameters"]:
                values[parameter["Name"].removeprefix(DEFAULT_PREFIX + "/")] = parameter["Value"]
        return values

    def parameter_versions(self) -> dict[str, int]:
        response = self.ssm.get_parameters_by_path(Path=DEFAULT_PREFIX, Recursive=True)
        return {p["Name"]: p["Version"] for p in response["Parameters"]}

    def upload_as_a_previous_run_did(self, dataset: Dataset) -> None:
        for file in dataset.files:
            self.s3.upload_file(str(file.path), BUCKET, f"{BASE}/{file.kind.key}-{file.digest[:16]}.csv")

    def uploaded_keys(self) -> list[str]:
        return sorted(o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


@pytest.fixture
def account(dataset_dir: Path, dataset: Dataset, outputs_file: Path) -> Iterator[Account]:
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        ssm = boto3.client("ssm", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        for name in all_parameters():
            string_list = name == FEATURED_ITEM_IDS
            ssm.put_parameter(
                Name=full_name(DEFAULT_PREFIX, name),
                Value=NOT_CONFIGURED,
                Type="StringList" if string_list else "String",
            )
        personalize = boto3.client("personalize", region_name=REGION)
        with Stubber(personalize) as stubber:
            yield Account(
                s3=s3,
                ssm=ssm,
                personalize=personalize,
                stubber=stubber,
                script=PersonalizeScript(stubber, resources(dataset)),
                outputs_file=outputs_file,
                dataset_dir=dataset_dir,
            )
