"""pytest plugin: `local_stack`, the whole local stack (`python -m local.demo`) for a test session.

Started once per session on free ports with a small generated dataset, and stopped with
SIGINT as a user's Ctrl-C would. Register with `pytest_plugins = ["tests.stack_fixture"]`.

    def test_something(local_stack):
        requests.get(f"{local_stack.api_url}/recommendations", params={"userId": "1"})
        local_stack.set_fault("personalize-runtime:GetRecommendations", error_rate=1.0)
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from local.launcher import DemoProcess, launch

SMALL_DATASET = ("--users", "300", "--items", "200", "--interactions", "20000")
TEST_VISIBILITY_TIMEOUT_SECONDS = 1
"""The sink queues' visibility timeout in the test stack (each at least its batching window and a
second); the sinks' retry backoff is capped at it too, so failed records come back within a second."""


@dataclass
class LocalStackHandle:
    """A running `python -m local.demo` and where its parts are."""

    demo: DemoProcess
    _session: requests.Session = field(default_factory=requests.Session)

    @property
    def process(self) -> subprocess.Popen[bytes]:
        return self.demo.process

    @property
    def info(self) -> dict[str, Any]:
        return self.demo.info

    @property
    def api_url(self) -> str:
        return str(self.info["apiUrl"])

    @property
    def storefront_url(self) -> str:
        return str(self.info["storefrontUrl"])

    @property
    def data_dir(self) -> Path:
        return Path(self.info["dataDir"])

    @property
    def dataset_dir(self) -> Path:
        return Path(self.info["datasetDir"])

    @property
    def emulator_url(self) -> str:
        return str(self.info["emulatorUrl"])

    def client(self, service: str) -> Any:
        """A boto3 client of the stack's local AWS services: `ssm`, `events` or `sqs` (the local bus's
        endpoint, which forwards SSM to moto)."""
        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.info["awsUrl"],
            region_name=self.info["region"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def queue(self, function: str) -> dict[str, str]:
        """`{"url", "arn", "dlqUrl", "dlqArn"}` of a sink's queue, e.g. `queue("personalize_sync")`."""
        queues: dict[str, dict[str, str]] = self.info["queues"]
        return queues[function]

    def messages_in(self, queue_url: str) -> int:
        """Visible plus in-flight messages."""
        attributes = self.client("sqs").get_queue_attributes(
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def drain(self, queue_url: str) -> None:
        """Delete every message the queue hands out (a DLQ emptied between tests)."""
        sqs = self.client("sqs")
        while messages := sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=30
        ).get("Messages", []):
            for message in messages:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    def set_fault(
        self, operation: str, *, throttle_rate: float = 0.0, error_rate: float = 0.0, latency_ms: float = 0.0
    ) -> None:
        """Emulator fault injection; `operation` like `personalize-runtime:GetRecommendations`, or `*`."""
        fault = {"throttleRate": throttle_rate, "errorRate": error_rate, "latencyMs": latency_ms}
        self._admin("POST", "faults", json={operation: fault})

    def clear_faults(self) -> None:
        self._admin("DELETE", "faults")

    def received(self, sink: str) -> list[dict[str, Any]]:
        """What an emulated sink received, e.g. `personalize-events` or `pinpoint-events`."""
        records: list[dict[str, Any]] = self._admin("GET", "events", params={"sink": sink})["events"]
        return records

    def clear_received(self) -> None:
        self._admin("DELETE", "events")

    def _admin(self, method: str, resource: str, **kwargs: Any) -> Any:
        response = self._session.request(
            method, f"{self.emulator_url}/_emulator/{resource}", timeout=5, **kwargs
        )
        response.raise_for_status()
        return response.json() if response.content else None


def start_stack(data_dir: Path, *arguments: str) -> LocalStackHandle:
    """Start `python -m local.demo --json` and wait for its line of URLs."""
    return LocalStackHandle(launch(data_dir, *arguments))


def stop_stack(handle: LocalStackHandle) -> int:
    """Ctrl-C, then wait: the exit code."""
    return handle.demo.stop()


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackHandle]:
    data_dir = tmp_path_factory.mktemp("local-stack")
    handle = start_stack(
        data_dir,
        "--api-port=0",
        "--storefront-port=0",
        *SMALL_DATASET,
        f"--sink-visibility-timeout={TEST_VISIBILITY_TIMEOUT_SECONDS}",
    )
    try:
        yield handle
    finally:
        stop_stack(handle)
