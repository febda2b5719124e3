"""Admin paths, fault injection, server lifecycle and the command line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from local import ACCOUNT_ID
from local.emulator import EmulatorServer, default_resources
from personalization.contracts import parameters
from tests.integration.emulator.emulator_helpers import error_of

pytestmark = pytest.mark.integration

GET_RECOMMENDATIONS = "personalize-runtime:GetRecommendations"


def test_health(emulator: EmulatorServer) -> None:
    health = requests.get(f"{emulator.url}/_emulator/health", timeout=5).json()

    assert health["status"] == "ok"
    assert (health["users"], health["items"]) == (800, 600)


def test_resources_give_every_ssm_parameter(emulator: EmulatorServer) -> None:
    described = requests.get(f"{emulator.url}/_emulator/resources", timeout=5).json()

    assert set(described["ssmParameters"]) == set(parameters.all_parameters())
    assert described["ssmParameters"][parameters.FEATURED_ITEM_IDS].count(",") >= 1
    assert described["accountId"] == ACCOUNT_ID


def test_resource_names_are_deterministic_per_region() -> None:
    east, again, west = (
        default_resources("us-east-1"),
        default_resources("us-east-1"),
        default_resources("eu-west-1"),
    )

    assert east == again
    assert east.tracking_id != west.tracking_id
    assert all(f":eu-west-1:{ACCOUNT_ID}:" in arn for arn in west.campaigns)
    assert (
        east.ssm_parameters(prefer_recommenders=True)[parameters.USER_PERSONALIZATION_ARN]
        .split(":")[5]
        .startswith("recommender/")
    )


def test_throttling_set_over_http(emulator: EmulatorServer, runtime: Any, user_campaign: str) -> None:
    answer = requests.post(
        f"{emulator.url}/_emulator/faults", json={GET_RECOMMENDATIONS: {"throttleRate": 1.0}}, timeout=5
    )
    assert answer.json()["faults"][GET_RECOMMENDATIONS]["throttleRate"] == 1.0

    with pytest.raises(ClientError) as raised:
        runtime.get_recommendations(campaignArn=user_campaign, userId="1")

    assert error_of(raised)[:2] == (400, "ThrottlingException")
    requests.delete(f"{emulator.url}/_emulator/faults", timeout=5)
    assert runtime.get_recommendations(campaignArn=user_campaign, userId="1")["itemList"]


def test_server_errors_per_operation(
    emulator: EmulatorServer,
    runtime: Any,
    pinpoint: Any,
    user_campaign: str,
    ranking_campaign: str,
    application_id: str,
) -> None:
    emulator.set_fault("personalize-runtime:GetPersonalizedRanking", error_rate=1.0)
    emulator.set_fault("pinpoint:UpdateEndpoint", error_rate=1.0)

    with pytest.raises(ClientError) as ranking:
        runtime.get_personalized_ranking(campaignArn=ranking_campaign, userId="1", inputList=["p00001"])
    with pytest.raises(ClientError) as endpoint:
        pinpoint.update_endpoint(ApplicationId=application_id, EndpointId="e", EndpointRequest={})

    assert error_of(ranking)[:2] == (500, "InternalFailure")
    assert error_of(endpoint)[:2] == (500, "InternalServerErrorException")
    assert runtime.get_recommendations(campaignArn=user_campaign, userId="1")["itemList"]


def test_pinpoint_throttling_is_429(emulator: EmulatorServer, pinpoint: Any, application_id: str) -> None:
    emulator.set_fault("*", throttle_rate=1.0)

    with pytest.raises(ClientError) as raised:
        pinpoint.update_endpoint(ApplicationId=application_id, EndpointId="e", EndpointRequest={})

    assert error_of(raised)[:2] == (429, "TooManyRequestsException")


def test_partial_rates_mix_outcomes(emulator: EmulatorServer, runtime: Any, user_campaign: str) -> None:
    emulator.set_fault(GET_RECOMMENDATIONS, throttle_rate=0.5)
    outcomes = []
    for _ in range(40):
        try:
            runtime.get_recommendations(campaignArn=user_campaign, userId="1", numResults=1)
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    assert set(outcomes) == {"ok", "ThrottlingException"}


def test_added_latency(emulator: EmulatorServer, runtime: Any, user_campaign: str) -> None:
    emulator.set_fault(GET_RECOMMENDATIONS, latency_ms=300)

    started = time.perf_counter()
    runtime.get_recommendations(campaignArn=user_campaign, userId="1", numResults=1)

    assert time.perf_counter() - started >= 0.3


@pytest.mark.parametrize(
    "body",
    [
        {"NoSuch:Operation": {"throttleRate": 1}},
        {GET_RECOMMENDATIONS: {"throttleRate": 2}},
        {GET_RECOMMENDATIONS: {"throttleRate": 0.7, "errorRate": 0.7}},
        {GET_RECOMMENDATIONS: {"latencyMs": "slow"}},
        {GET_RECOMMENDATIONS: {"unknownKey": 1}},
        ["not", "an", "object"],
    ],
)
def test_invalid_fault_settings_are_refused(emulator: EmulatorServer, body: Any) -> None:
    response = requests.post(f"{emulator.url}/_emulator/faults", json=body, timeout=5)

    assert response.status_code == 400
    assert response.json()["message"]
    assert emulator.faults.snapshot() == {}


def test_events_admin_path_reads_and_clears_the_sinks(
    emulator: EmulatorServer, events: Any, tracking_id: str
) -> None:
    events.put_events(
        trackingId=tracking_id,
        sessionId="s",
        eventList=[{"eventType": "ProductViewed", "itemId": "p00002", "sentAt": datetime.now(UTC)}],
    )

    one_sink = requests.get(
        f"{emulator.url}/_emulator/events", params={"sink": "personalize-events"}, timeout=5
    )
    every_sink = requests.get(f"{emulator.url}/_emulator/events", timeout=5).json()
    unknown = requests.get(f"{emulator.url}/_emulator/events", params={"sink": "nope"}, timeout=5)
    requests.delete(f"{emulator.url}/_emulator/events", timeout=5)

    assert [e["itemId"] for e in one_sink.json()["events"]] == ["p00002"]
    assert set(every_sink) == {
        "personalize-events",
        "personalize-users",
        "personalize-items",
        "pinpoint-events",
        "pinpoint-endpoints",
    }
    assert unknown.status_code == 400
    assert emulator.recorded("personalize-events") == []


def test_unknown_paths_are_404(emulator: EmulatorServer) -> None:
    assert requests.get(f"{emulator.url}/nothing-here", timeout=5).status_code == 404
    assert requests.get(f"{emulator.url}/_emulator/nothing", timeout=5).status_code == 404


def emulator_threads() -> list[threading.Thread]:
    return [
        thread
        for thread in threading.enumerate()
        if thread.name == "emulator" or "process_request" in thread.name
    ]


def test_stop_ends_every_thread_even_with_kept_alive_connections(dataset_dir: Path) -> None:
    before = set(emulator_threads())
    server = EmulatorServer(dataset_dir).start()
    client = boto3.client(
        "personalize-runtime",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.get_recommendations(
        campaignArn=server.ssm_parameters()[parameters.USER_PERSONALIZATION_ARN], userId="1"
    )
    url = server.url

    server.stop()

    assert set(emulator_threads()) - before == set()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_emulator/health", timeout=2)


def test_command_line_serves_until_sigterm(dataset_dir: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "local.emulator", "--data", str(dataset_dir), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        assert process.stdout is not None
        announced = json.loads(process.stdout.readline())
        health = requests.get(f"{announced['url']}/_emulator/health", timeout=5)
        assert health.json()["status"] == "ok"
        assert announced["ssmParameters"][parameters.EVENT_TRACKER_ID]
    finally:
        process.send_signal(signal.SIGTERM)
        return_code = process.wait(timeout=20)
    assert return_code == 0
