"""The analytics sink locally: POST /events -> bus -> analytics rule -> bridge queue -> local Firehose
-> files, counted by `python -m analytics query`; and a failing stream that retries, losing nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from analytics.layout import read_records
from tests.polling import eventually
from tests.stack_fixture import SMALL_DATASET, LocalStackHandle, start_stack, stop_stack
from tests.tokens import signed_in

pytestmark = pytest.mark.integration

TIMEOUT = 10
DELIVERY_TIMEOUT = 30.0
"""The local stream flushes every 5 s; a retry after a failed write comes within seconds."""


def post_events(stack: LocalStackHandle, body: dict[str, Any], shopper_id: str | None = None) -> list[str]:
    """POST /events, or POST /me/events signed in as dataset shopper `shopper_id`."""
    path, headers = (
        ("events", {}) if shopper_id is None else ("me/events", signed_in(stack.info["cognito"], shopper_id))
    )
    response = requests.post(f"{stack.api_url}/{path}", json=body, headers=headers, timeout=TIMEOUT)
    assert response.status_code == 202, response.text
    event_ids: list[str] = response.json()["eventIds"]
    return event_ids


def delivered(stack: LocalStackHandle) -> list[dict[str, Any]]:
    """Every record of every object the local delivery stream wrote."""
    folder = Path(stack.info["analytics"]["dir"])
    return [
        record
        for path in sorted(folder.glob("event_date=*/*.gz"))
        for record in read_records(path.read_bytes())
    ]


def bridge_is_drained(stack: LocalStackHandle) -> bool:
    """Nothing in the analytics queue: neither waiting nor held in the stream's buffer (in flight)."""
    return stack.messages_in(stack.info["analytics"]["queueUrl"]) == 0


def query(stack: LocalStackHandle, name: str) -> list[dict[str, Any]]:
    completed = subprocess.run(
        [sys.executable, "-m", "analytics", "query", name, "--local", str(stack.data_dir), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if completed.returncode == 1 and "no analytics files" in completed.stderr:
        return []
    assert completed.returncode == 0, completed.stderr
    rows: list[dict[str, Any]] = json.loads(completed.stdout)
    return rows


def events_by_type(stack: LocalStackHandle) -> Counter[str]:
    counts: Counter[str] = Counter()
    for row in query(stack, "events-by-type-per-day"):
        counts[row["event_type"]] += row["events"]
    return counts


def test_accepted_events_land_in_the_files_and_the_query_counts_once_each(
    local_stack: LocalStackHandle,
) -> None:
    eventually(lambda: bridge_is_drained(local_stack), DELIVERY_TIMEOUT)
    before = events_by_type(local_stack)
    session = f"analytics-{uuid.uuid4()}"
    sent: list[dict[str, Any]] = [
        {"eventType": "ProductViewed", "itemId": "p-1"},
        {
            "eventType": "ProductViewed",
            "itemId": "p-2",
            "recommendationId": "RID-analytics-1",
            "experiment": {"name": "home-recs", "variant": "personalized"},
        },
        {"eventType": "ProductAdded", "itemId": "p-2", "properties": {"quantity": 2, "price": 19.5}},
        {"eventType": "ProductSearched", "properties": {"query": "wool socks", "resultCount": 3}},
        {"eventType": "OrderCompleted", "itemId": "p-2", "properties": {"quantity": 2}},
    ]
    accepted = post_events(local_stack, {"sessionId": session, "events": sent[:3]}, shopper_id="7")
    accepted += post_events(local_stack, {"sessionId": session, "events": sent[3:]})

    def mine() -> list[dict[str, Any]] | None:
        records = [record for record in delivered(local_stack) if record["sessionId"] == session]
        return records if {record["eventId"] for record in records} >= set(accepted) else None

    records = eventually(mine, DELIVERY_TIMEOUT)
    assert Counter(record["eventId"] for record in records) == Counter(accepted), "each accepted event once"
    by_id = {record["eventId"]: record for record in records}
    first, second = by_id[accepted[1]], by_id[accepted[2]]
    assert first == {
        "eventId": accepted[1],
        "eventType": "ProductViewed",
        "sessionId": session,
        "userId": "7",
        "itemId": "p-2",
        "sentAt": first["sentAt"],
        "recommendationId": "RID-analytics-1",
        "experiment": {"name": "home-recs", "variant": "personalized"},
        "properties": {},
    }, "exactly the bus detail"
    assert second["experiment"] is None
    assert second["properties"] == {"quantity": 2, "price": 19.5}
    assert by_id[accepted[3]]["userId"] is None
    assert by_id[accepted[3]]["itemId"] is None

    eventually(lambda: bridge_is_drained(local_stack), DELIVERY_TIMEOUT)
    after = events_by_type(local_stack)
    assert after - before == Counter(event["eventType"] for event in sent)


@pytest.fixture
def blocked_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackHandle]:
    """A stack of its own whose analytics folder cannot be created: a file stands where it goes."""
    data_dir = tmp_path_factory.mktemp("blocked-analytics")
    (data_dir / "analytics").write_text("a file where the analytics folder goes: every write fails\n")
    handle = start_stack(data_dir, "--api-port=0", "--storefront-port=0", *SMALL_DATASET)
    try:
        yield handle
    finally:
        stop_stack(handle)


def test_a_failing_stream_retries_and_loses_nothing(blocked_stack: LocalStackHandle) -> None:
    stack = blocked_stack
    log = stack.data_dir / "logs" / "stack.log"
    accepted = post_events(
        stack,
        {
            "sessionId": "blocked-session",
            "events": [{"eventType": "ProductViewed", "itemId": f"p-{index}"} for index in range(3)],
        },
    )

    eventually(lambda: "analytics delivery of 3 records" in log.read_text(errors="replace"), DELIVERY_TIMEOUT)
    assert stack.messages_in(stack.info["analytics"]["queueUrl"]) == 3, "kept in the queue, not lost"
    assert stack.messages_in(stack.info["analytics"]["dlqUrl"]) == 0
    (stack.data_dir / "analytics").unlink()  # the folder can be written again

    records = eventually(lambda: delivered(stack) or None, DELIVERY_TIMEOUT)
    assert Counter(record["eventId"] for record in records) == Counter(accepted)
    eventually(lambda: bridge_is_drained(stack), DELIVERY_TIMEOUT)
    assert stack.messages_in(stack.info["analytics"]["dlqUrl"]) == 0
    assert Counter(record["eventId"] for record in delivered(stack)) == Counter(accepted), (
        "once, after the retry"
    )
