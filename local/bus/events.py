"""A local Amazon EventBridge: buses, rules, targets, the archive and replays, delivering to local SQS.

PutEvents builds each entry's event (the envelope EventBridge delivers: version, id, detail-type,
source, account, time, region, resources, detail), matches it against every enabled rule of its
bus with moto's `EventPattern` (the same pattern matcher the twin used before, maintained with
moto: prefix, exists, anything-but, numeric, wildcard, `$or` ...), appends it to each archive whose
pattern it matches, and hands it to each matching rule's targets:

- an SQS queue of the local SQS (`local.bus.queues`): the message is enqueued before PutEvents
  answers, so an event the bus accepted is in every matching queue (no extra hop, no thread);
- another bus of the same account (`arn:aws:events:...:event-bus/NAME`): put on that bus;
- anything else (Lambda, Firehose, ...): not reproduced; the delivery fails as EventBridge fails a
  delivery it cannot make (below).

A delivery that fails (the queue is gone) is retried with exponential backoff (1 s doubling to
60 s) within the target's RetryPolicy (default 185 attempts, 24 h), then sent to the target's
dead-letter queue (DeadLetterConfig) with EventBridge's message attributes (RULE_ARN, TARGET_ARN,
ERROR_CODE, ERROR_MESSAGE, ...), or dropped with a log line when it has none.

Input, InputPath and InputTransformer (simple `$.a.b` paths and the `<aws.events.*>` placeholders)
shape what a target receives. Archives are files: one JSON line per event under
`<archive_dir>/<archive>/<UTC date>.jsonl`, days older than the retention removed, so a long run
costs disk, not memory; StartReplay reads them back onto the bus (events carry `replay-name`).
Not reproduced: schedules, API destinations, endpoints, partner sources, permissions (accepted and
ignored), the archive's managed rule.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from moto.events.exceptions import InvalidEventPatternException
from moto.events.models import EventPattern, EventPatternParser

from local.bus.protocol import ServiceError, require, validation
from local.bus.queues import Queues

logger = logging.getLogger("local.bus.events")

MAX_ENTRIES = 10
MAX_ENTRY_BYTES = 256 * 1024
DEFAULT_RETRY_ATTEMPTS = 185
DEFAULT_EVENT_AGE_SECONDS = 86_400
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0


def not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message)


def already_exists(message: str) -> ServiceError:
    return ServiceError("ResourceAlreadyExistsException", message)


def compile_pattern(text: Any) -> EventPattern:
    """A rule's or archive's pattern, validated as EventBridge validates it (InvalidEventPatternException)."""
    if text is not None and not isinstance(text, str):
        raise ServiceError("InvalidEventPatternException", "Event pattern is not valid. Reason: not a string")
    try:
        EventPatternParser(text).parse()
        return EventPattern.load(text)
    except InvalidEventPatternException as error:
        raise ServiceError("InvalidEventPatternException", str(error.message)) from error


def matches(pattern: EventPattern, event: dict[str, Any]) -> bool:
    return bool(pattern.matches_event(cast(Any, event)))


def utc_text(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def json_path(document: Any, path: str) -> Any:
    """The value at a simple JSONPath (`$`, `$.detail`, `$.detail.itemId`), or None."""
    if path in ("$", ""):
        return document
    if not path.startswith("$."):
        raise validation(f"InputPath {path} is not valid (only $.a.b paths are supported locally)")
    value = document
    for key in path[2:].split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


@dataclass
class Target:
    spec: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.spec["Id"])

    @property
    def arn(self) -> str:
        return str(self.spec["Arn"])

    def body(self, event: dict[str, Any], rule: Rule) -> str:
        """What the target receives for `event`, after Input, InputPath or InputTransformer."""
        if "Input" in self.spec:
            return str(self.spec["Input"])
        if "InputPath" in self.spec:
            return json.dumps(json_path(event, self.spec["InputPath"]), separators=(",", ":"))
        transformer = self.spec.get("InputTransformer")
        if transformer:
            template = str(transformer["InputTemplate"])
            values: dict[str, Any] = {
                name: json_path(event, path)
                for name, path in (transformer.get("InputPathsMap") or {}).items()
            }
            values.update(
                {
                    "aws.events.rule-arn": rule.arn,
                    "aws.events.rule-name": rule.name,
                    "aws.events.event.ingestion-time": event["time"],
                    "aws.events.event": event,
                    "aws.events.event.json": event,
                }
            )
            for name, value in values.items():
                text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
                template = template.replace(f"<{name}>", text)
            return template
        return json.dumps(event, separators=(",", ":"))

    @property
    def max_attempts(self) -> int:
        return 1 + int(
            (self.spec.get("RetryPolicy") or {}).get("MaximumRetryAttempts", DEFAULT_RETRY_ATTEMPTS)
        )

    @property
    def max_age_seconds(self) -> float:
        return float(
            (self.spec.get("RetryPolicy") or {}).get("MaximumEventAgeInSeconds", DEFAULT_EVENT_AGE_SECONDS)
        )

    @property
    def dead_letter_arn(self) -> str | None:
        arn = (self.spec.get("DeadLetterConfig") or {}).get("Arn")
        return str(arn) if arn else None


@dataclass
class RuleCounters:
    """What EventBridge counts for a rule's metrics (AWS/Events), as running totals."""

    matched_events: int = 0
    invocations: int = 0
    """Deliveries to a target that succeeded or failed for good (retries not counted)."""
    failed_invocations: int = 0
    """Deliveries that failed for good, after the target's retries."""
    sent_to_dlq: int = 0

    def describe(self) -> dict[str, int]:
        return {
            "matchedEvents": self.matched_events,
            "invocations": self.invocations,
            "failedInvocations": self.failed_invocations,
            "sentToDlq": self.sent_to_dlq,
        }


@dataclass
class Rule:
    name: str
    bus: str
    arn: str
    pattern_text: str | None
    pattern: EventPattern
    state: str = "ENABLED"
    description: str | None = None
    schedule: str | None = None
    targets: dict[str, Target] = field(default_factory=dict)
    counters: RuleCounters = field(default_factory=RuleCounters)

    def describe(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "Name": self.name,
            "Arn": self.arn,
            "State": self.state,
            "EventBusName": self.bus,
        }
        if self.pattern_text is not None:
            answer["EventPattern"] = self.pattern_text
        if self.description is not None:
            answer["Description"] = self.description
        if self.schedule is not None:
            answer["ScheduleExpression"] = self.schedule
        return answer


@dataclass
class Bus:
    name: str
    arn: str
    created: float
    description: str | None = None
    rules: dict[str, Rule] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "Name": self.name,
            "Arn": self.arn,
            "CreationTime": self.created,
            "LastModifiedTime": self.created,
        }
        if self.description:
            answer["Description"] = self.description
        return answer


class Archive:
    """An archive's events as JSON lines, one file per UTC day of arrival."""

    def __init__(
        self,
        *,
        name: str,
        arn: str,
        source_arn: str,
        pattern_text: str | None,
        retention_days: int,
        description: str | None,
        directory: Path,
    ) -> None:
        self.name = name
        self.arn = arn
        self.source_arn = source_arn
        self.pattern_text = pattern_text
        self.pattern = compile_pattern(pattern_text)
        self.retention_days = retention_days
        self.description = description
        self.created = time.time()
        self.directory = directory
        self.event_count = 0
        self.size_bytes = 0
        self._day = ""
        self._file: Any = None
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.jsonl"):
            stale.unlink()

    def append(self, events: list[dict[str, Any]]) -> None:
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        if day != self._day:
            self._rotate(day)
        lines = "".join(json.dumps(event, separators=(",", ":")) + "\n" for event in events)
        self._file.write(lines)
        self._file.flush()
        self.event_count += len(events)
        self.size_bytes += len(lines.encode())

    def _rotate(self, day: str) -> None:
        if self._file is not None:
            self._file.close()
        self._day = day
        self._file = (self.directory / f"{day}.jsonl").open("a", encoding="utf-8")
        if self.retention_days:
            cutoff = datetime.now(UTC).timestamp() - self.retention_days * 86_400
            for path in self.directory.glob("*.jsonl"):
                if parse_utc(path.stem + "T00:00:00Z") + 86_400 < cutoff:
                    path.unlink(missing_ok=True)

    def events(self, start: float, end: float) -> list[dict[str, Any]]:
        found = []
        for path in sorted(self.directory.glob("*.jsonl")):
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    event = json.loads(line)
                    if start <= parse_utc(event["time"]) <= end:
                        found.append(event)
        return found

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def describe(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "ArchiveArn": self.arn,
            "ArchiveName": self.name,
            "EventSourceArn": self.source_arn,
            "State": "ENABLED",
            "RetentionDays": self.retention_days,
            "SizeBytes": self.size_bytes,
            "EventCount": self.event_count,
            "CreationTime": self.created,
        }
        if self.pattern_text is not None:
            answer["EventPattern"] = self.pattern_text
        if self.description:
            answer["Description"] = self.description
        return answer


@dataclass(order=True)
class _Retry:
    due: float
    sequence: int
    attempt: int = field(compare=False)
    first_tried: float = field(compare=False)
    rule: Rule = field(compare=False)
    target: Target = field(compare=False)
    body: str = field(compare=False)


class DeliveryError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class EventBridge:
    """The buses of one account and region. Thread-safe: one lock around the model."""

    def __init__(self, queues: Queues, archive_dir: Path, clock: Callable[[], float] = time.time) -> None:
        self.queues = queues
        self.account = queues.account
        self.region = queues.region
        self.archive_dir = archive_dir
        self._clock = clock
        self._lock = threading.RLock()
        self._buses: dict[str, Bus] = {}
        self._archives: dict[str, Archive] = {}
        self._replays: dict[str, dict[str, Any]] = {}
        self._tags: dict[str, dict[str, str]] = {}
        self._retries: list[_Retry] = []
        self._sequence = itertools.count()
        self._retry_ready = threading.Condition(self._lock)
        self._stopping = False
        self.delivered = 0
        self.failed_deliveries = 0
        self._create_bus("default")
        self._retry_thread = threading.Thread(target=self._retry_loop, name="bus-retries", daemon=True)
        self._retry_thread.start()

    def close(self) -> None:
        with self._lock:
            self._stopping = True
            self._retry_ready.notify_all()
            for archive in self._archives.values():
                archive.close()
        self._retry_thread.join(timeout=2)

    # -- buses -------------------------------------------------------------------------------
    def _bus_arn(self, name: str) -> str:
        return f"arn:aws:events:{self.region}:{self.account}:event-bus/{name}"

    def _create_bus(self, name: str, description: str | None = None) -> Bus:
        bus = Bus(name, self._bus_arn(name), self._clock(), description)
        self._buses[name] = bus
        return bus

    def _bus(self, name_or_arn: Any) -> Bus:
        name = "default" if not name_or_arn else str(name_or_arn).rsplit("/", 1)[-1]
        bus = self._buses.get(name)
        if bus is None:
            raise not_found(f"Event bus {name} does not exist.")
        return bus

    def create_event_bus(self, request: dict[str, Any]) -> dict[str, Any]:
        name = require(request, "Name")
        with self._lock:
            if name in self._buses:
                raise already_exists(f"Event bus {name} already exists.")
            bus = self._create_bus(name, request.get("Description"))
            self._tags[bus.arn] = {t["Key"]: t["Value"] for t in request.get("Tags") or []}
        return {"EventBusArn": bus.arn}

    def describe_event_bus(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            return self._bus(request.get("Name")).describe()

    def list_event_buses(self, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("NamePrefix") or ""
        with self._lock:
            return {
                "EventBuses": [b.describe() for n, b in sorted(self._buses.items()) if n.startswith(prefix)]
            }

    def delete_event_bus(self, request: dict[str, Any]) -> dict[str, Any]:
        name = require(request, "Name")
        if name == "default":
            raise validation("Cannot delete event bus default.")
        with self._lock:
            self._buses.pop(name, None)
        return {}

    # -- rules and targets -----------------------------------------------------------------------
    def _rule(self, name: Any, bus_name: Any) -> Rule:
        bus = self._bus(bus_name)
        rule = bus.rules.get(str(name))
        if rule is None:
            raise not_found(f"Rule {name} does not exist on EventBus {bus.name}.")
        return rule

    def put_rule(self, request: dict[str, Any]) -> dict[str, Any]:
        name = require(request, "Name")
        pattern_text, schedule = request.get("EventPattern"), request.get("ScheduleExpression")
        if pattern_text is None and schedule is None:
            raise validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
        state = request.get("State") or "ENABLED"
        if state not in ("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"):
            raise validation(f"State {state} is not valid.")
        pattern = compile_pattern(pattern_text)
        with self._lock:
            bus = self._bus(request.get("EventBusName"))
            suffix = name if bus.name == "default" else f"{bus.name}/{name}"
            arn = f"arn:aws:events:{self.region}:{self.account}:rule/{suffix}"
            existing = bus.rules.get(name)
            rule = Rule(
                name, bus.name, arn, pattern_text, pattern, state, request.get("Description"), schedule
            )
            if existing is not None:
                rule.targets = existing.targets
                rule.counters = existing.counters
            bus.rules[name] = rule
            if request.get("Tags"):
                self._tags[arn] = {t["Key"]: t["Value"] for t in request["Tags"]}
        if schedule is not None:
            logger.warning("rule %s: schedules are not run by the local bus", name)
        return {"RuleArn": arn}

    def describe_rule(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            return self._rule(require(request, "Name"), request.get("EventBusName")).describe()

    def list_rules(self, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("NamePrefix") or ""
        with self._lock:
            rules = [
                r.describe()
                for n, r in sorted(self._bus(request.get("EventBusName")).rules.items())
                if n.startswith(prefix)
            ]
        return {"Rules": rules}

    def delete_rule(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            bus = self._bus(request.get("EventBusName"))
            rule = bus.rules.get(require(request, "Name"))
            if rule is None:
                return {}
            if rule.targets and not request.get("Force"):
                raise validation("Rule can't be deleted since it has targets.")
            del bus.rules[rule.name]
        return {}

    def enable_rule(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._set_state(request, "ENABLED")

    def disable_rule(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._set_state(request, "DISABLED")

    def _set_state(self, request: dict[str, Any], state: str) -> dict[str, Any]:
        with self._lock:
            self._rule(require(request, "Name"), request.get("EventBusName")).state = state
        return {}

    def put_targets(self, request: dict[str, Any]) -> dict[str, Any]:
        targets = require(request, "Targets", list)
        with self._lock:
            rule = self._rule(require(request, "Rule"), request.get("EventBusName"))
            failed = []
            for spec in targets:
                if not isinstance(spec, dict) or not spec.get("Id") or not spec.get("Arn"):
                    failed.append(
                        {
                            "TargetId": str((spec or {}).get("Id")),
                            "ErrorCode": "ValidationException",
                            "ErrorMessage": "Id and Arn are required",
                        }
                    )
                    continue
                rule.targets[str(spec["Id"])] = Target(dict(spec))
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    def remove_targets(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            rule = self._rule(require(request, "Rule"), request.get("EventBusName"))
            for target_id in require(request, "Ids", list):
                rule.targets.pop(str(target_id), None)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def list_targets_by_rule(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            rule = self._rule(require(request, "Rule"), request.get("EventBusName"))
            return {"Targets": [dict(t.spec) for t in rule.targets.values()]}

    def list_rule_names_by_target(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = require(request, "TargetArn")
        with self._lock:
            bus = self._bus(request.get("EventBusName"))
            return {
                "RuleNames": [
                    r.name for r in bus.rules.values() if any(t.arn == arn for t in r.targets.values())
                ]
            }

    def test_event_pattern(self, request: dict[str, Any]) -> dict[str, Any]:
        pattern = compile_pattern(require(request, "EventPattern"))
        try:
            event = json.loads(require(request, "Event"))
        except ValueError as error:
            raise validation("Parameter Event is not valid.") from error
        return {"Result": matches(pattern, event)}

    # -- tags and permissions ---------------------------------------------------------------------
    def tag_resource(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            tags = self._tags.setdefault(require(request, "ResourceARN"), {})
            tags.update({t["Key"]: t["Value"] for t in require(request, "Tags", list)})
        return {}

    def untag_resource(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            tags = self._tags.get(require(request, "ResourceARN"), {})
            for key in require(request, "TagKeys", list):
                tags.pop(key, None)
        return {}

    def list_tags_for_resource(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            tags = self._tags.get(require(request, "ResourceARN"), {})
            return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}

    def put_permission(self, request: dict[str, Any]) -> dict[str, Any]:
        return {}

    def remove_permission(self, request: dict[str, Any]) -> dict[str, Any]:
        return {}

    # -- events ----------------------------------------------------------------------------------
    def put_events(self, request: dict[str, Any]) -> dict[str, Any]:
        entries = require(request, "Entries", list)
        if not 1 <= len(entries) <= MAX_ENTRIES:
            raise validation(
                "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy "
                f"constraint: Member must have length less than or equal to {MAX_ENTRIES}"
            )
        results: list[dict[str, Any]] = []
        with self._lock:
            accepted: list[tuple[Bus, dict[str, Any]]] = []
            for entry in entries:
                try:
                    event = self._event(entry)
                    bus = self._bus(entry.get("EventBusName"))
                except ServiceError as error:
                    if error.code == "ResourceNotFoundException":
                        raise
                    results.append({"ErrorCode": error.code, "ErrorMessage": error.message})
                    continue
                accepted.append((bus, event))
                results.append({"EventId": event["id"]})
            for bus, event in accepted:
                self._route(bus, event)
        failed = sum(1 for result in results if "ErrorCode" in result)
        return {"FailedEntryCount": failed, "Entries": results}

    def _event(self, entry: dict[str, Any]) -> dict[str, Any]:
        for name in ("Source", "DetailType", "Detail"):
            if not entry.get(name):
                raise ServiceError(
                    "InvalidArgument",
                    f"Parameter {name} is not valid. Reason: {name} is a required argument.",
                )
        if len(json.dumps(entry).encode()) > MAX_ENTRY_BYTES:
            raise ServiceError(
                "InvalidArgument", "Total size of the entries in the request is over the limit."
            )
        try:
            detail = json.loads(entry["Detail"])
        except (TypeError, ValueError):
            detail = None
        if not isinstance(detail, dict):
            raise ServiceError("MalformedDetail", "Detail is malformed.")
        moment = entry.get("Time")
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": entry["DetailType"],
            "source": entry["Source"],
            "account": self.account,
            "time": utc_text(float(moment) if isinstance(moment, int | float) else self._clock()),
            "region": self.region,
            "resources": list(entry.get("Resources") or []),
            "detail": detail,
        }

    def _route(
        self, bus: Bus, event: dict[str, Any], only_rules: set[str] | None = None, archive: bool = True
    ) -> None:
        """Under the lock: archive the event, then deliver it to every matching rule's targets."""
        if archive:
            for stored in self._archives.values():
                if stored.source_arn == bus.arn and matches(stored.pattern, event):
                    stored.append([event])
        for rule in bus.rules.values():
            if rule.state == "DISABLED" or rule.pattern_text is None:
                continue
            if only_rules is not None and rule.arn not in only_rules:
                continue
            if not matches(rule.pattern, event):
                continue
            rule.counters.matched_events += 1
            for target in rule.targets.values():
                self._deliver(rule, target, target.body(event, rule), attempt=1, first_tried=self._clock())

    def _deliver(self, rule: Rule, target: Target, body: str, attempt: int, first_tried: float) -> None:
        try:
            self._send(target.arn, body)
            self.delivered += 1
            rule.counters.invocations += 1
        except DeliveryError as error:
            age = self._clock() - first_tried
            if (
                attempt < target.max_attempts
                and age < target.max_age_seconds
                and error.code != "UnsupportedTarget"
            ):
                delay = min(FIRST_RETRY_SECONDS * 2 ** (attempt - 1), MAX_RETRY_SECONDS)
                heapq.heappush(
                    self._retries,
                    _Retry(
                        time.monotonic() + delay,
                        next(self._sequence),
                        attempt + 1,
                        first_tried,
                        rule,
                        target,
                        body,
                    ),
                )
                self._retry_ready.notify_all()
                return
            self.failed_deliveries += 1
            rule.counters.invocations += 1
            rule.counters.failed_invocations += 1
            self._dead_letter(rule, target, body, error, attempt)

    def _send(self, arn: str, body: str) -> None:
        parts = arn.split(":", 5)
        if len(parts) != 6:
            raise DeliveryError("InvalidTarget", f"target {arn} is not an ARN")
        service = parts[2]
        if service == "sqs":
            queue = self.queues.by_arn(arn)
            if queue is None:
                raise DeliveryError("SQS.NonExistentQueue", f"queue {arn} does not exist")
            self.queues.deliver(queue, body)
            return
        if service == "events" and parts[5].startswith("event-bus/"):
            bus = self._buses.get(parts[5].split("/", 1)[1])
            if bus is None:
                raise DeliveryError("ResourceNotFoundException", f"event bus {arn} does not exist")
            self._route(bus, json.loads(body))
            return
        raise DeliveryError(
            "UnsupportedTarget", f"the local bus does not deliver to {service} targets ({arn})"
        )

    def _dead_letter(
        self, rule: Rule, target: Target, body: str, error: DeliveryError, attempts: int
    ) -> None:
        arn = target.dead_letter_arn
        queue = self.queues.by_arn(arn) if arn else None
        if queue is None:
            logger.warning(
                "dropped an event for %s of rule %s after %d attempts: %s",
                target.arn,
                rule.name,
                attempts,
                error,
            )
            return
        rule.counters.sent_to_dlq += 1
        attributes = {
            "RULE_ARN": rule.arn,
            "TARGET_ARN": target.arn,
            "ERROR_CODE": error.code,
            "ERROR_MESSAGE": str(error),
            "RETRY_ATTEMPTS": str(attempts - 1),
            "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
        }
        with self.queues.lock:
            self.queues._send(
                queue,
                {
                    "MessageBody": body,
                    "MessageAttributes": {
                        k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
                    },
                },
            )

    def _retry_loop(self) -> None:
        with self._lock:
            while not self._stopping:
                if not self._retries:
                    self._retry_ready.wait(1.0)
                    continue
                pause = self._retries[0].due - time.monotonic()
                if pause > 0:
                    self._retry_ready.wait(pause)
                    continue
                retry = heapq.heappop(self._retries)
                self._deliver(retry.rule, retry.target, retry.body, retry.attempt, retry.first_tried)

    # -- archives and replays -------------------------------------------------------------------------
    def _archive(self, name: Any) -> Archive:
        archive = self._archives.get(str(name))
        if archive is None:
            raise not_found(f"Archive {name} does not exist.")
        return archive

    def create_archive(self, request: dict[str, Any]) -> dict[str, Any]:
        name = require(request, "ArchiveName")
        source = require(request, "EventSourceArn")
        with self._lock:
            if name in self._archives:
                raise already_exists(f"Archive {name} already exists.")
            bus = self._bus(source)
            archive = Archive(
                name=name,
                arn=f"arn:aws:events:{self.region}:{self.account}:archive/{name}",
                source_arn=bus.arn,
                pattern_text=request.get("EventPattern"),
                retention_days=int(request.get("RetentionDays") or 0),
                description=request.get("Description"),
                directory=self.archive_dir / name,
            )
            self._archives[name] = archive
        return {"ArchiveArn": archive.arn, "State": "ENABLED", "CreationTime": archive.created}

    def describe_archive(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            return self._archive(require(request, "ArchiveName")).describe()

    def list_archives(self, request: dict[str, Any]) -> dict[str, Any]:
        prefix, source = request.get("NamePrefix") or "", request.get("EventSourceArn")
        with self._lock:
            archives = [
                {
                    k: v
                    for k, v in a.describe().items()
                    if k not in ("ArchiveArn", "Description", "EventPattern")
                }
                for n, a in sorted(self._archives.items())
                if n.startswith(prefix) and (source is None or a.source_arn == source)
            ]
        return {"Archives": archives}

    def update_archive(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            archive = self._archive(require(request, "ArchiveName"))
            if "EventPattern" in request:
                archive.pattern = compile_pattern(request["EventPattern"])
                archive.pattern_text = request["EventPattern"]
            if "RetentionDays" in request:
                archive.retention_days = int(request["RetentionDays"])
            if "Description" in request:
                archive.description = request["Description"]
            return {"ArchiveArn": archive.arn, "State": "ENABLED", "CreationTime": archive.created}

    def delete_archive(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            archive = self._archive(require(request, "ArchiveName"))
            archive.close()
            del self._archives[archive.name]
        return {}

    def start_replay(self, request: dict[str, Any]) -> dict[str, Any]:
        name = require(request, "ReplayName")
        source = require(request, "EventSourceArn")
        destination = require(request, "Destination", dict)
        start, end = (
            float(require(request, "EventStartTime", (int, float))),
            float(require(request, "EventEndTime", (int, float))),
        )
        if end <= start:
            raise validation(
                "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime."
            )
        with self._lock:
            if name in self._replays:
                raise already_exists(f"Replay {name} already exists.")
            archive = self._archive(source.rsplit("/", 1)[-1])
            bus = self._bus(destination.get("Arn"))
            if bus.arn != archive.source_arn:
                raise validation(
                    "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted."
                )
            replay: dict[str, Any] = {
                "ReplayName": name,
                "ReplayArn": f"arn:aws:events:{self.region}:{self.account}:replay/{name}",
                "EventSourceArn": archive.arn,
                "Destination": destination,
                "EventStartTime": start,
                "EventEndTime": end,
                "State": "STARTING",
                "ReplayStartTime": self._clock(),
            }
            if request.get("Description"):
                replay["Description"] = request["Description"]
            self._replays[name] = replay
        threading.Thread(
            target=self._replay, args=(replay, archive, bus), name=f"replay-{name}", daemon=True
        ).start()
        return {k: replay[k] for k in ("ReplayArn", "State", "ReplayStartTime")}

    def _replay(self, replay: dict[str, Any], archive: Archive, bus: Bus) -> None:
        with self._lock:
            replay["State"] = "RUNNING"
            events = archive.events(replay["EventStartTime"], replay["EventEndTime"])
            rules = set(replay["Destination"].get("FilterArns") or []) or None
            for event in events:
                if replay["State"] == "CANCELLING":
                    replay["State"] = "CANCELLED"
                    return
                self._route(
                    bus, {**event, "replay-name": replay["ReplayName"]}, only_rules=rules, archive=False
                )
                replay["EventLastReplayedTime"] = parse_utc(event["time"])
            replay["State"] = "COMPLETED"
            replay["ReplayEndTime"] = self._clock()

    def describe_replay(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            replay = self._replays.get(require(request, "ReplayName"))
            if replay is None:
                raise not_found(f"Replay {request['ReplayName']} does not exist.")
            return dict(replay)

    def list_replays(self, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("NamePrefix") or ""
        with self._lock:
            return {"Replays": [dict(r) for n, r in sorted(self._replays.items()) if n.startswith(prefix)]}

    def cancel_replay(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            replay = self._replays.get(require(request, "ReplayName"))
            if replay is None:
                raise not_found(f"Replay {request['ReplayName']} does not exist.")
            if replay["State"] in ("COMPLETED", "CANCELLED", "FAILED"):
                raise ServiceError("IllegalStatusException", f"Replay {replay['ReplayName']} is not running.")
            replay["State"] = "CANCELLING"
            return {"ReplayArn": replay["ReplayArn"], "State": "CANCELLING"}

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "delivered": self.delivered,
                "failedDeliveries": self.failed_deliveries,
                "pendingRetries": len(self._retries),
                "archives": {
                    n: {"events": a.event_count, "bytes": a.size_bytes} for n, a in self._archives.items()
                },
                "rules": [
                    {"bus": bus.name, "rule": rule.name, **rule.counters.describe()}
                    for bus in self._buses.values()
                    for rule in bus.rules.values()
                ],
            }
