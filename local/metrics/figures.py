"""The figures AWS services publish by themselves, from what the twin's runtime knows.

Names, namespaces and dimensions are those the stack's dashboard and alarms read
(`infra/observability.py`, through the CDK's `metric*` methods):

- AWS/Lambda, `FunctionName` (the function's name, as the twin names it: the spec's, `recommend`):
  Invocations, Errors, Throttles (Count, one datum per invocation: 0 or 1), Duration
  (Milliseconds), ConcurrentExecutions (Count: invocations in flight when one starts, read with
  Maximum). A throttled request is a Throttles of 1 and no invocation, as in Lambda.
- AWS/ApiGateway, `ApiName` (the stack's `<stackName>-api`, what `RestApi.metric*` uses), and
  also `ApiName` with `Stage`, as API Gateway publishes both: Count, 4XXError, 5XXError (0 or 1
  per request, so Average is the rate the 5xx alarm reads), Latency (Milliseconds).
- AWS/SQS, `QueueName` (the local queue's name), sampled every `SAMPLE_SECONDS`:
  ApproximateNumberOfMessagesVisible, ApproximateNumberOfMessagesNotVisible,
  ApproximateNumberOfMessagesDelayed (Count), ApproximateAgeOfOldestMessage (Seconds).
- AWS/Firehose, `DeliveryStreamName` (the local delivery stream's, `local.firehose`): IncomingRecords
  and IncomingBytes (as records are taken in), DeliveryToS3.Records and DeliveryToS3.Bytes (per
  object written), DeliveryToS3.Success (1 per object written, 0 per failed write: Minimum reads
  "a write failed"), DeliveryToS3.DataFreshness (Seconds: the age of the oldest record not yet
  delivered, sampled every `SAMPLE_SECONDS`, 0 when none waits).
- AWS/Events, per rule of the local bus: `EventBusName` and `RuleName` for a custom bus, `RuleName`
  alone for the default one (as EventBridge names them): MatchedEvents, Invocations,
  FailedInvocations, InvocationsSentToDlq (Count), from the bus's counters (`GET /_bus/stats`
  `bus.rules`) sampled every `SAMPLE_SECONDS`, as the difference since the previous sample, sent
  only when not zero (as EventBridge sends them).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

from infra.deployment import DEFAULT_STAGE
from local.metrics.emf import EmfExtractor, MetricDatum, RateLimitedWarning
from local.metrics.publisher import MetricsPublisher

logger = logging.getLogger("local.metrics.figures")

LAMBDA = "AWS/Lambda"
API_GATEWAY = "AWS/ApiGateway"
SQS = "AWS/SQS"
FIREHOSE = "AWS/Firehose"
EVENTS = "AWS/Events"
DEFAULT_BUS = "default"
API_NAME = "RetailPersonalization-api"
"""`rest_api_name` of infra/api.py for the default stack name (infra.settings.DEFAULT_STACK_NAME)."""
SAMPLE_SECONDS = 5.0
QUEUE_FIGURES = {
    "ApproximateNumberOfMessagesVisible": ("ApproximateNumberOfMessages", "Count"),
    "ApproximateNumberOfMessagesNotVisible": ("ApproximateNumberOfMessagesNotVisible", "Count"),
    "ApproximateNumberOfMessagesDelayed": ("ApproximateNumberOfMessagesDelayed", "Count"),
    "ApproximateAgeOfOldestMessage": ("ApproximateAgeOfOldestMessage", "Seconds"),
}
"""CloudWatch metric -> (the local bus's queue figure, unit)."""
RULE_FIGURES = {
    "MatchedEvents": "matchedEvents",
    "Invocations": "invocations",
    "FailedInvocations": "failedInvocations",
    "InvocationsSentToDlq": "sentToDlq",
}
"""CloudWatch metric -> the local bus's counter of a rule (`GET /_bus/stats` `bus.rules`)."""


def _now_ms() -> int:
    return int(time.time() * 1000)


class LocalMetrics:
    """What the runtime hooks feed: function logs (EMF), invocations, API requests, queue samples."""

    def __init__(
        self, publisher: MetricsPublisher, api_name: str = API_NAME, stage: str = DEFAULT_STAGE
    ) -> None:
        self.publisher = publisher
        self.api_name = api_name
        self.stage = stage
        self._extractors: dict[str, EmfExtractor] = {}
        self._rule_counters: dict[tuple[str, str], dict[str, int]] = {}
        self._lock = threading.Lock()

    # Functions

    def log_line(self, function: str, line: str) -> None:
        """One line a function printed: its EMF metrics, if any, are published."""
        with self._lock:
            extractor = self._extractors.get(function)
            if extractor is None:
                extractor = self._extractors[function] = EmfExtractor(function)
        datums = extractor.extract(line)
        if datums:
            self.publisher.submit(datums)

    def invocation(self, function: str, *, duration_ms: float, failed: bool, concurrent: int) -> None:
        now = _now_ms()
        dimensions = (("FunctionName", function),)
        self.publisher.submit(
            [
                MetricDatum(LAMBDA, "Invocations", dimensions, (1.0,), now, "Count"),
                MetricDatum(LAMBDA, "Errors", dimensions, (1.0 if failed else 0.0,), now, "Count"),
                MetricDatum(LAMBDA, "Throttles", dimensions, (0.0,), now, "Count"),
                MetricDatum(LAMBDA, "Duration", dimensions, (duration_ms,), now, "Milliseconds"),
                MetricDatum(LAMBDA, "ConcurrentExecutions", dimensions, (float(concurrent),), now, "Count"),
            ]
        )

    def throttle(self, function: str) -> None:
        dimensions = (("FunctionName", function),)
        self.publisher.submit([MetricDatum(LAMBDA, "Throttles", dimensions, (1.0,), _now_ms(), "Count")])

    # API

    def api_request(self, status: int, latency_ms: float) -> None:
        now = _now_ms()
        datums = []
        for dimensions in (
            (("ApiName", self.api_name),),
            (("ApiName", self.api_name), ("Stage", self.stage)),
        ):
            datums += [
                MetricDatum(API_GATEWAY, "Count", dimensions, (1.0,), now, "Count"),
                MetricDatum(API_GATEWAY, "4XXError", dimensions, (float(400 <= status < 500),), now, "Count"),
                MetricDatum(API_GATEWAY, "5XXError", dimensions, (float(status >= 500),), now, "Count"),
                MetricDatum(API_GATEWAY, "Latency", dimensions, (latency_ms,), now, "Milliseconds"),
            ]
        self.publisher.submit(datums)

    # Queues

    def queue_sample(self, queues: Mapping[str, Mapping[str, int]]) -> None:
        """Every queue's figures, as the local bus reports them (`GET /_bus/stats` `queues`)."""
        now = _now_ms()
        datums = [
            MetricDatum(SQS, metric, (("QueueName", name),), (float(figures[figure]),), now, unit)
            for name, figures in queues.items()
            for metric, (figure, unit) in QUEUE_FIGURES.items()
            if figure in figures
        ]
        if datums:
            self.publisher.submit(datums)

    # Rules

    def rule_sample(self, rules: Iterable[Mapping[str, Any]]) -> None:
        """Every rule's counters, as the local bus reports them (`GET /_bus/stats` `bus.rules`: bus,
        rule and running totals); what grew since the previous sample is published."""
        now = _now_ms()
        datums = []
        with self._lock:
            for rule in rules:
                key = (str(rule["bus"]), str(rule["rule"]))
                previous = self._rule_counters.get(key, {})
                current = {figure: int(rule.get(figure, 0)) for figure in RULE_FIGURES.values()}
                self._rule_counters[key] = current
                dimensions: tuple[tuple[str, str], ...] = (("RuleName", key[1]),)
                if key[0] != DEFAULT_BUS:
                    dimensions = (("EventBusName", key[0]), *dimensions)
                for metric, figure in RULE_FIGURES.items():
                    total, before = current[figure], previous.get(figure, 0)
                    grown = total - before if total >= before else total  # a restarted bus counts anew
                    if grown:
                        datums.append(MetricDatum(EVENTS, metric, dimensions, (float(grown),), now, "Count"))
        if datums:
            self.publisher.submit(datums)

    def bus_sample(self, stats: Mapping[str, Any]) -> None:
        """One `GET /_bus/stats` answer: its queues' figures and its rules' counters."""
        self.queue_sample(stats.get("queues", {}))
        self.rule_sample(stats.get("bus", {}).get("rules", []))

    # Delivery streams

    def stream_records_in(self, stream: str, records: int, size_bytes: int) -> None:
        """Records taken into a delivery stream (the first time it sees them)."""
        now = _now_ms()
        dimensions = (("DeliveryStreamName", stream),)
        self.publisher.submit(
            [
                MetricDatum(FIREHOSE, "IncomingRecords", dimensions, (float(records),), now, "Count"),
                MetricDatum(FIREHOSE, "IncomingBytes", dimensions, (float(size_bytes),), now, "Bytes"),
            ]
        )

    def stream_delivery(self, stream: str, *, records: int, size_bytes: int, succeeded: bool) -> None:
        """One write of a delivery stream's buffer to S3 (an object), done or failed."""
        now = _now_ms()
        dimensions = (("DeliveryStreamName", stream),)
        datums = [
            MetricDatum(FIREHOSE, "DeliveryToS3.Success", dimensions, (float(succeeded),), now, "Count")
        ]
        if succeeded:
            datums += [
                MetricDatum(FIREHOSE, "DeliveryToS3.Records", dimensions, (float(records),), now, "Count"),
                MetricDatum(FIREHOSE, "DeliveryToS3.Bytes", dimensions, (float(size_bytes),), now, "Bytes"),
            ]
        self.publisher.submit(datums)

    def stream_freshness(self, stream: str, age_seconds: float) -> None:
        """The age of the oldest record a delivery stream has not delivered yet (0: none waits)."""
        dimensions = (("DeliveryStreamName", stream),)
        age = (float(age_seconds),)
        self.publisher.submit(
            [MetricDatum(FIREHOSE, "DeliveryToS3.DataFreshness", dimensions, age, _now_ms(), "Seconds")]
        )


def bus_stats(bus_url: str, timeout_seconds: float = 2.0) -> dict[str, Any]:
    """The local bus's queue figures and delivery counters (`GET /_bus/stats`)."""
    with urllib.request.urlopen(f"{bus_url}/_bus/stats", timeout=timeout_seconds) as response:  # noqa: S310
        stats: dict[str, Any] = json.load(response)
    return stats


class BusSampler:
    """A thread that samples the local bus (its queues and its rules) every `interval_seconds` until
    `stop`."""

    def __init__(
        self,
        sample: Callable[[], Mapping[str, Any]],
        metrics: LocalMetrics,
        interval_seconds: float = SAMPLE_SECONDS,
    ) -> None:
        self._sample = sample
        self._metrics = metrics
        self._interval = interval_seconds
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bus-sampler", daemon=True)
        self._failed = RateLimitedWarning("bus sample failed", interval_seconds=60.0, log=logger)

    def start(self) -> BusSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=self._interval + 2.0)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._metrics.bus_sample(self._sample())
            except Exception as error:  # the bus may be stopping; the next sample tries again
                self._failed.warn(str(error))
            self._stopping.wait(self._interval)


def pump_log(stream: IO[bytes], log_path: Any, function: str, metrics: LocalMetrics) -> threading.Thread:
    """A thread that copies a worker's output to its log file line by line, as it comes, and hands
    each line to `metrics` (CloudWatch Logs reading the function's log stream). Ends at EOF."""

    def run() -> None:
        with stream, open(log_path, "ab") as log:
            for line in stream:
                log.write(line)
                log.flush()
                try:
                    metrics.log_line(function, line.decode("utf-8", errors="replace"))
                except Exception:  # never lose the log for a metric
                    logger.exception("reading metrics from %s's log failed", function)

    thread = threading.Thread(target=run, name=f"log-{function}", daemon=True)
    thread.start()
    return thread
