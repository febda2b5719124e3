"""The functions of the stack as local worker processes, invoked the way Lambda invokes them.

Each function runs in its own processes (`local.worker`), with exactly the environment the
stack gives it, because handler modules read their settings at import. A pool per function
keeps warm instances and starts another one (a cold start) when all are busy, up to a
concurrency limit. An invocation that outlives the function's timeout is ended by killing
its instance, as Lambda ends the sandbox; the next invocation gets a fresh one.
"""

from __future__ import annotations

import json
import os
import queue
import select
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from infra.deployment import MEMORY_MB
from local.metrics.figures import LocalMetrics, pump_log
from local.worker import HEADER
from personalization.contracts.topology import FunctionSpec

INIT_TIMEOUT_SECONDS = 30.0
"""Lambda allows 10 s of init; the margin covers many workers importing at once on 2 cores."""
STOP_GRACE_SECONDS = 2.0
DEFAULT_MEMORY_MB = 128
"""Lambda's default, for a function the stack does not deploy (the tests' own handlers)."""


class InvocationError(Exception):
    """The invocation failed: Lambda would answer with a function error."""

    def __init__(self, function: str, error_type: str, message: str) -> None:
        super().__init__(f"{function}: {error_type}: {message}")
        self.function = function
        self.error_type = error_type


class InvocationTimeoutError(InvocationError):
    def __init__(self, function: str, timeout_seconds: float) -> None:
        super().__init__(function, "Sandbox.Timedout", f"Task timed out after {timeout_seconds:.2f} seconds")


class FunctionStartError(RuntimeError):
    """A worker could not be started or its handler failed to import."""


@dataclass(frozen=True)
class FunctionConfig:
    """What a function's instances are started with."""

    spec: FunctionSpec
    environment: Mapping[str, str]
    log_path: Path
    max_concurrency: int = 2
    handler: str = ""
    """`module.attribute` of the handler; the spec's own when empty."""
    metrics: LocalMetrics | None = None
    """Where the function's EMF records and its invocations' figures go (`local.metrics`); with
    it the output reaches the log through a pipe the runtime reads, as CloudWatch Logs would."""

    @property
    def handler_path(self) -> str:
        return self.handler or self.spec.handler


class FunctionInstance:
    """One worker process: one invocation at a time, over a pair of pipes."""

    def __init__(self, config: FunctionConfig) -> None:
        self.config = config
        self.name = config.spec.name
        request_read, self._request_write = os.pipe()
        self._response_read, response_write = os.pipe()
        config.log_path.parent.mkdir(parents=True, exist_ok=True)
        with config.log_path.open("ab") as log:
            output: IO[bytes] | int = log if config.metrics is None else subprocess.PIPE
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-u",
                    "-m",
                    "local.worker",
                    f"--function={self.name}",
                    f"--handler={config.handler_path}",
                    f"--memory-mb={MEMORY_MB.get(config.spec, DEFAULT_MEMORY_MB)}",
                    f"--request-fd={request_read}",
                    f"--response-fd={response_write}",
                ],
                env=dict(config.environment),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                pass_fds=(request_read, response_write),
                start_new_session=True,
            )
        os.close(request_read)
        os.close(response_write)
        if config.metrics is not None and self.process.stdout is not None:
            pump_log(self.process.stdout, config.log_path, self.name, config.metrics)
        self._responses: IO[bytes] = os.fdopen(self._response_read, "rb", buffering=0)
        ready = self._read_response(time.monotonic() + INIT_TIMEOUT_SECONDS)
        if ready is None or not ready.get("ok"):
            self.kill()
            detail = f"{ready['errorType']}: {ready['errorMessage']}" if ready else "no answer"
            raise FunctionStartError(
                f"function {self.name} failed to start ({detail}); see {config.log_path}"
            )

    def invoke(self, event: Any, request_id: str, timeout_seconds: float) -> Any:
        deadline = time.monotonic() + timeout_seconds
        deadline_ms = int((time.time() + timeout_seconds) * 1000)
        self._send({"requestId": request_id, "deadlineMs": deadline_ms, "event": event})
        response = self._read_response(deadline)
        if response is None:
            self.kill()
            if self.process.returncode is not None and time.monotonic() < deadline:
                raise InvocationError(self.name, "Runtime.ExitError", "the runtime exited")
            raise InvocationTimeoutError(self.name, timeout_seconds)
        if not response["ok"]:
            raise InvocationError(self.name, response["errorType"], response["errorMessage"])
        return response["result"]

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._close()

    def stop(self) -> None:
        """Close the request pipe (the worker exits on EOF), then kill what is left."""
        self._close()
        try:
            self.process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()

    def _close(self) -> None:
        if self._request_write >= 0:
            os.close(self._request_write)
            self._request_write = -1
        self._responses.close()

    def _send(self, message: dict[str, Any]) -> None:
        payload = json.dumps(message, separators=(",", ":")).encode()
        view = memoryview(HEADER.pack(len(payload)) + payload)
        try:
            while view:
                written = os.write(self._request_write, view)
                view = view[written:]
        except OSError as error:
            self.kill()
            raise InvocationError(self.name, "Runtime.ExitError", f"the runtime is gone ({error})") from error

    def _read_response(self, deadline: float) -> dict[str, Any] | None:
        """The next frame, or None when the deadline passed or the worker exited."""
        header = self._read_exactly(HEADER.size, deadline)
        if header is None:
            return None
        payload = self._read_exactly(HEADER.unpack(header)[0], deadline)
        if payload is None:
            return None
        message: dict[str, Any] = json.loads(payload)
        return message

    def _read_exactly(self, size: int, deadline: float) -> bytes | None:
        data = bytearray()
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            readable, _, _ = select.select([self._responses], [], [], remaining)
            if not readable:
                return None
            chunk = self._responses.read(size - len(data))
            if not chunk:
                self.process.poll()
                return None
            data += chunk
        return bytes(data)


class FunctionPool:
    """The instances of one function: warm ones are reused, the most recently used first."""

    def __init__(self, config: FunctionConfig) -> None:
        self.config = config
        self.name = config.spec.name
        self._idle: queue.LifoQueue[FunctionInstance] = queue.LifoQueue()
        self._all: set[FunctionInstance] = set()
        self._lock = threading.Lock()
        self._starting = 0
        self._stopped = False
        self._running = 0

    def start(self) -> None:
        """Start one warm instance, so import errors show at once."""
        if not self._reserve():
            raise FunctionStartError(f"function {self.name} cannot start another instance")
        self._idle.put(self._spawn())

    @property
    def size(self) -> int:
        with self._lock:
            return len(self._all)

    def invoke(self, event: Any, request_id: str | None = None) -> Any:
        timeout = float(self.config.spec.timeout_seconds)
        metrics = self.config.metrics
        try:
            instance = self._acquire(timeout)
        except InvocationError:
            if metrics is not None:
                metrics.throttle(self.name)
            raise
        with self._lock:
            self._running += 1
            concurrent = self._running
        started = time.monotonic()
        failed = True
        try:
            result = instance.invoke(event, request_id or str(uuid.uuid4()), timeout)
            failed = False
        except InvocationError as error:
            if instance.process.returncode is not None:
                self._discard(instance)
            else:
                self._idle.put(instance)
            raise error from None
        finally:
            with self._lock:
                self._running -= 1
            if metrics is not None:
                duration_ms = (time.monotonic() - started) * 1000
                metrics.invocation(self.name, duration_ms=duration_ms, failed=failed, concurrent=concurrent)
        self._idle.put(instance)
        return result

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            instances = list(self._all)
            self._all.clear()
        for instance in instances:
            instance.stop()

    def _acquire(self, wait_seconds: float) -> FunctionInstance:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        if self._reserve():
            return self._spawn()
        try:
            return self._idle.get(timeout=wait_seconds)
        except queue.Empty:
            raise InvocationError(self.name, "TooManyRequestsException", "Rate Exceeded.") from None

    def _reserve(self) -> bool:
        """Claim room for one more instance under the concurrency limit."""
        with self._lock:
            if self._stopped or len(self._all) + self._starting >= self.config.max_concurrency:
                return False
            self._starting += 1
            return True

    def _spawn(self) -> FunctionInstance:
        """Start an instance in the room claimed by `_reserve`."""
        try:
            instance = FunctionInstance(self.config)
        finally:
            with self._lock:
                self._starting -= 1
        with self._lock:
            if not self._stopped:
                self._all.add(instance)
                return instance
        instance.stop()
        raise FunctionStartError(f"function {self.name} is stopped")

    def _discard(self, instance: FunctionInstance) -> None:
        with self._lock:
            self._all.discard(instance)
