from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

import dataset
from local.emulator import EmulatorServer
from personalization.contracts import parameters

SMALL = dataset.GeneratorConfig(seed=11, users=800, items=600, interactions=60_000)
REGION = "us-east-1"


@pytest.fixture(scope="session")
def dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("emulator") / "dataset"
    dataset.generate(out_dir, SMALL)
    return out_dir


@pytest.fixture(scope="session")
def emulator(dataset_dir: Path) -> Iterator[EmulatorServer]:
    with EmulatorServer(dataset_dir, region=REGION, fault_seed=3) as server:
        yield server


@pytest.fixture(autouse=True)
def clean_emulator(emulator: EmulatorServer) -> Iterator[None]:
    yield
    emulator.clear_faults()
    emulator.clear_recorded()


def client(service: str, emulator: EmulatorServer) -> Any:
    """A real boto3 client on the emulator: dummy credentials, one attempt per call."""
    return boto3.session.Session().client(
        service,  # type: ignore[call-overload]
        endpoint_url=emulator.url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=10),
    )


@pytest.fixture(scope="session")
def runtime(emulator: EmulatorServer) -> Any:
    return client("personalize-runtime", emulator)


@pytest.fixture(scope="session")
def events(emulator: EmulatorServer) -> Any:
    return client("personalize-events", emulator)


@pytest.fixture(scope="session")
def pinpoint(emulator: EmulatorServer) -> Any:
    return client("pinpoint", emulator)


@pytest.fixture(scope="session")
def ssm(emulator: EmulatorServer) -> dict[str, str]:
    return emulator.ssm_parameters()


@pytest.fixture(scope="session")
def user_campaign(ssm: dict[str, str]) -> str:
    return ssm[parameters.USER_PERSONALIZATION_ARN]


@pytest.fixture(scope="session")
def related_campaign(ssm: dict[str, str]) -> str:
    return ssm[parameters.RELATED_ITEMS_ARN]


@pytest.fixture(scope="session")
def ranking_campaign(ssm: dict[str, str]) -> str:
    return ssm[parameters.PERSONALIZED_RANKING_ARN]


@pytest.fixture(scope="session")
def tracking_id(ssm: dict[str, str]) -> str:
    return ssm[parameters.EVENT_TRACKER_ID]


@pytest.fixture(scope="session")
def application_id(ssm: dict[str, str]) -> str:
    return ssm[parameters.PINPOINT_APPLICATION_ID]
