"""The provisioning engine: a list of stages of resource steps, each step with find/create/describe/delete.

`up` finds or creates every step of a stage, then waits for all of them with one bounded
poll (so the three imports, or the three trainings, run side by side), and writes a
step's SSM parameter only after a describe says ACTIVE. Everything is found by name, so
a second run creates nothing and an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

from personalization.contracts.parameters import NOT_CONFIGURED

ACTIVE = "ACTIVE"

Context = dict[str, str]
"""What earlier steps resolved: step key -> ARN (or S3 URI)."""


@dataclass(frozen=True)
class Found:
    arn: str
    status: str
    failure_reason: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    attempts: int = 1
    """How many resources share the step's name (failed attempts included), for retry names."""

    @property
    def failed(self) -> bool:
        return self.status.endswith("FAILED")

    @property
    def deleting(self) -> bool:
        return self.status.startswith("DELETE")


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    """Relative SSM name (personalization.contracts.parameters)."""
    value: Callable[[Mapping[str, Any]], str]
    """The value, from the describe output of the ACTIVE resource."""


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    find: Callable[[Context], Found | None]
    create: Callable[[Context, Found | None], str]
    """Create (or, after a failure, create again); `previous` is the failed one, if any."""
    describe: Callable[[Context, str], Found]
    delete: Callable[[Context, str], None] | None = None
    """None: the resource goes away with its parent (import jobs, solution versions)."""
    requires: tuple[str, ...] = ()
    """Context keys `find` needs (the parent); `create` may use any key of an earlier stage."""
    parameter: ParameterSpec | None = None
    timeout_seconds: float = 900
    poll_seconds: float = 15
    retry_failed: bool = False
    """A rerun after a failure creates a new resource instead of stopping again."""
    remedy: str = "fix the cause above, then run `python -m provision up` again"


@dataclass(frozen=True)
class StaticParameter:
    name: str
    value: str
    string_list: bool = False


class ParameterWriter(Protocol):
    def read(self, names: Sequence[str]) -> dict[str, str | None]: ...

    def write(self, name: str, value: str, string_list: bool) -> bool: ...


class Clock(Protocol):
    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class ProvisionError(Exception):
    """A run stopped; the message says what happened and what to do (exit code 1)."""


class ResourceFailedError(ProvisionError):
    def __init__(self, step: Step, reason: str | None, remedy: str) -> None:
        super().__init__(
            f"{step.label} failed: {reason or 'no failure reason given'}\n  what to do: {remedy}"
        )
        self.step = step
        self.reason = reason


@dataclass(frozen=True)
class StepState:
    step: Step
    found: Found | None


class Progress:
    """Plain lines on a stream: one per action and per status change, a heartbeat while waiting."""

    def __init__(self, out: TextIO, clock: Clock, heartbeat_seconds: float = 300) -> None:
        self._out = out
        self._clock = clock
        self._heartbeat = heartbeat_seconds
        self._last: dict[str, tuple[str, float]] = {}

    def line(self, text: str) -> None:
        print(text, file=self._out, flush=True)

    def action(self, verb: str, label: str, detail: str = "") -> None:
        self.line(f"  {verb:<8} {label}{'  ' + detail if detail else ''}")

    def status(self, step: Step, status: str, started: float) -> None:
        now = self._clock.now()
        previous = self._last.get(step.key)
        if previous is None or previous[0] != status or now - previous[1] >= self._heartbeat:
            self._last[step.key] = (status, now)
            self.action("wait", step.label, f"{status} ({_elapsed(now - started)})")


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


@dataclass
class _Pending:
    step: Step
    arn: str
    started: float


class Engine:
    def __init__(
        self,
        stages: Sequence[Sequence[Step]],
        parameters: ParameterWriter,
        progress: Progress,
        clock: Clock,
        static_parameters: Sequence[StaticParameter] = (),
    ) -> None:
        self._stages = stages
        self._parameters = parameters
        self._progress = progress
        self._clock = clock
        self._static = static_parameters

    @property
    def steps(self) -> list[Step]:
        return [step for stage in self._stages for step in stage]

    def parameter_names(self) -> list[str]:
        return [s.parameter.name for s in self.steps if s.parameter] + [p.name for p in self._static]

    def _string_lists(self) -> set[str]:
        return {p.name for p in self._static if p.string_list}

    def up(self, dry_run: bool = False) -> Context:
        if dry_run:
            return self._plan()
        for parameter in self._static:
            self._write(parameter.name, parameter.value, parameter.string_list)
        context: Context = {}
        for stage in self._stages:
            pending = [p for step in stage if (p := self._resolve(step, context)) is not None]
            self._wait_active(pending, context)
        self._progress.line("done: every resource is ACTIVE and its parameter is written")
        return context

    def discover(self) -> list[StepState]:
        """Find every step whose parents exist; read-only."""
        context: Context = {}
        states = []
        for step in self.steps:
            found = step.find(context) if all(key in context for key in step.requires) else None
            if found is not None:
                context[step.key] = found.arn
            states.append(StepState(step, found))
        return states

    def status(self) -> list[StepState]:
        states = self.discover()
        width = max(len(state.step.label) for state in states)
        for state in states:
            found = state.found
            detail = f"{found.status:<20} {found.arn}" if found else "absent"
            reason = f"  ({found.failure_reason})" if found and found.failure_reason else ""
            self._progress.line(f"  {state.step.label:<{width}}  {detail}{reason}")
        values = self._parameters.read(self.parameter_names())
        for name, value in values.items():
            self._progress.line(f"  parameter {name} = {value if value is not None else '(missing)'}")
        return states

    def down(self) -> None:
        states = self.discover()
        string_lists = self._string_lists()
        for name in self.parameter_names():
            self._write(name, NOT_CONFIGURED, string_list=name in string_lists)
        context = {state.step.key: state.found.arn for state in states if state.found}
        for stage in reversed(self._stages):
            doomed = [s for s in reversed(stage) if s.key in context]
            gone = []
            for step in doomed:
                if step.delete is None:
                    self._progress.action("keep", step.label, "removed with its parent")
                    continue
                found = next(state.found for state in states if state.step is step)
                if found is not None and not found.deleting:
                    self._progress.action("delete", step.label)
                    step.delete(context, context[step.key])
                gone.append(_Pending(step, context[step.key], self._clock.now()))
            self._wait_gone(gone, context)
        self._progress.line("done: resources deleted, parameters reset to NONE")

    def _plan(self) -> Context:
        context: Context = {}
        self._progress.line("plan (dry run, nothing is created or written):")
        for parameter in self._static:
            self._progress.action("write", f"parameter {parameter.name}", parameter.value)
        for step in self.steps:
            found = step.find(context) if all(key in context for key in step.requires) else None
            if found is None:
                self._progress.action("create", step.label)
            else:
                context[step.key] = found.arn
                verb = "retry" if found.failed and step.retry_failed else "keep"
                self._progress.action(verb, step.label, found.status)
            if step.parameter:
                self._progress.action("write", f"parameter {step.parameter.name}", "when ACTIVE")
        return context

    def _resolve(self, step: Step, context: Context) -> _Pending | None:
        found = step.find(context)
        if found is not None and found.deleting:
            raise ProvisionError(
                f"{step.label} is being deleted ({found.status}); run `python -m provision up` again "
                "once `python -m provision status` shows it absent"
            )
        if found is not None and found.failed and not step.retry_failed:
            raise ResourceFailedError(step, found.failure_reason, step.remedy)
        if found is None or found.failed:
            self._progress.action("retry" if found else "create", step.label)
            arn = step.create(context, found)
        else:
            self._progress.action("found", step.label, found.status)
            arn = found.arn
        context[step.key] = arn
        if found is not None and found.status == ACTIVE and step.parameter is None:
            return None
        return _Pending(step, arn, self._clock.now())

    def _wait_active(self, pending: list[_Pending], context: Context) -> None:
        def status_until_active(item: _Pending) -> str | None:
            found = item.step.describe(context, item.arn)
            if found.status == ACTIVE:
                self._finish(item.step, found)
                return None
            if found.failed:
                raise ResourceFailedError(item.step, found.failure_reason, item.step.remedy)
            return found.status

        self._wait(pending, status_until_active)

    def _wait_gone(self, pending: list[_Pending], context: Context) -> None:
        def status_until_gone(item: _Pending) -> str | None:
            found = item.step.find(context)
            return None if found is None or found.arn != item.arn else found.status

        self._wait(pending, status_until_gone)

    def _wait(self, pending: list[_Pending], status_of: Callable[[_Pending], str | None]) -> None:
        """Polls until `status_of` says every item is done (None); otherwise reports its status."""
        while pending:
            still = []
            for item in pending:
                status = status_of(item)
                if status is None:
                    continue
                self._progress.status(item.step, status, item.started)
                self._check_deadline(item, status)
                still.append(item)
            pending = still
            if pending:
                self._clock.sleep(min(item.step.poll_seconds for item in pending))

    def _check_deadline(self, item: _Pending, status: str) -> None:
        waited = self._clock.now() - item.started
        if waited > item.step.timeout_seconds:
            raise ProvisionError(
                f"{item.step.label} is still {status} after {_elapsed(waited)} (limit "
                f"{_elapsed(item.step.timeout_seconds)}); it keeps going in AWS: run "
                "`python -m provision up` again later to resume waiting"
            )

    def _finish(self, step: Step, found: Found) -> None:
        self._progress.action("active", step.label)
        if step.parameter:
            self._write(step.parameter.name, step.parameter.value(found.details), string_list=False)

    def _write(self, name: str, value: str, string_list: bool) -> None:
        if self._parameters.write(name, value, string_list):
            self._progress.action("write", f"parameter {name}", value)
