"""What the load benchmarks read from a running local stack besides its answers: memory, queues, lag.

- `memory_bytes`: the proportional set size (PSS, so shared pages count once) of the demo process
  and every process it started (gateway, workers, emulator, bus), from /proc;
- `queue_depths`: visible plus in-flight messages of each queue the stack describes (the sinks'
  queues and their DLQs, the analytics queue), through SQS GetQueueAttributes;
- `DeliveryLog`: the events the emulated Personalize received since the last read
  (`/_emulator/events?since=`), and each one's delivery lag: its arrival at the emulator minus its
  `sentAt`, which `track_event` stamps when the event carries none (the moment it took the event,
  just before its 202 answer).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import requests

PERSONALIZE_SINK = "personalize-events"


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (by parent pid), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children.get(current, []))
    return found


def memory_bytes(pid: int) -> int:
    """PSS of the process tree under `pid`, in bytes (RSS where smaps_rollup is not readable)."""
    total = 0
    for process in descendants(pid):
        try:
            lines = Path(f"/proc/{process}/smaps_rollup").read_text().splitlines()
            key = "Pss:"
        except OSError:
            try:
                lines = Path(f"/proc/{process}/status").read_text().splitlines()
            except OSError:
                continue
            key = "VmRSS:"
        for line in lines:
            if line.startswith(key):
                total += int(line.split()[1]) * 1024
                break
    return total


def queue_urls(info: dict[str, Any]) -> dict[str, str]:
    """Every queue `LocalStack.describe()` names, by a short label."""
    urls: dict[str, str] = {}
    for function, queues in (info.get("queues") or {}).items():
        urls[function] = queues["url"]
        urls[f"{function} DLQ"] = queues["dlqUrl"]
    analytics = info.get("analytics") or {}
    if analytics.get("queueUrl"):
        urls["analytics"] = analytics["queueUrl"]
    return urls


class QueueProbe:
    def __init__(self, info: dict[str, Any]) -> None:
        endpoint = info.get("awsUrl") or info["motoUrl"]
        self._sqs = boto3.client(
            "sqs",
            endpoint_url=endpoint,
            region_name=info["region"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        self.urls = queue_urls(info)

    def depths(self) -> dict[str, int]:
        depths = {}
        for label, url in self.urls.items():
            attributes = self._sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            depths[label] = int(attributes["ApproximateNumberOfMessages"]) + int(
                attributes["ApproximateNumberOfMessagesNotVisible"]
            )
        return depths


def parse_time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class DeliveryLog:
    """The emulated Personalize's arrivals of the sessions whose id starts with `session_prefix`."""

    def __init__(self, emulator_url: str, session_prefix: str, since: float = 0.0) -> None:
        self._url = f"{emulator_url}/_emulator/events"
        self._prefix = session_prefix
        self._since = since
        self.arrivals: dict[str, tuple[float, float]] = {}
        """eventId -> (sentAt, receivedAt), epoch seconds; a redelivery keeps the first arrival."""

    def read(self) -> int:
        """Fetch what arrived since the last read; returns how many new events of ours."""
        answer = requests.get(
            self._url, params={"sink": PERSONALIZE_SINK, "since": repr(self._since)}, timeout=30
        )
        answer.raise_for_status()
        new = 0
        for record in answer.json()["events"]:
            self._since = max(self._since, record["receivedAt"])
            if not str(record.get("sessionId", "")).startswith(self._prefix):
                continue
            if record["eventId"] not in self.arrivals:
                self.arrivals[record["eventId"]] = (parse_time(record["sentAt"]), record["receivedAt"])
                new += 1
        return new

    def lags(self, sent_from: float = 0.0, sent_until: float = float("inf")) -> list[float]:
        return [
            received - sent for sent, received in self.arrivals.values() if sent_from <= sent < sent_until
        ]


def cpu_count() -> int:
    return os.cpu_count() or 1
