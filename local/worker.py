"""One function's execution environment, like a Lambda sandbox: `python -m local.worker`.

The worker imports `<function>.handler` once (the init phase, so settings are read from
this process's environment exactly as in Lambda), then serves invocations one at a time
over two pipes inherited from the parent (`local.functions`). A closed request pipe means
the parent is gone, and the worker exits with it.

Frames on both pipes: a 4-byte big-endian length, then UTF-8 JSON.
  request:  {"requestId": str, "deadlineMs": epoch ms, "event": ...}
  response: {"ok": true, "result": ...} or {"ok": false, "errorType", "errorMessage", "stackTrace"}
  first frame written after init: {"ok": true, "ready": true} or an error frame.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import struct
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from local import ACCOUNT_ID

HEADER = struct.Struct(">I")


def write_frame(stream: BinaryIO, message: dict[str, Any]) -> None:
    payload = json.dumps(message, separators=(",", ":"), default=str).encode()
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def read_frame(stream: BinaryIO) -> dict[str, Any] | None:
    """The next frame, or None when the other end closed the pipe."""
    header = _read_exactly(stream, HEADER.size)
    if header is None:
        return None
    payload = _read_exactly(stream, HEADER.unpack(header)[0])
    if payload is None:
        return None
    message: dict[str, Any] = json.loads(payload)
    return message


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = stream.read(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


def error_frame(error: BaseException) -> dict[str, Any]:
    """Lambda's shape of an unhandled error."""
    return {
        "ok": False,
        "errorType": type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_exception(error),
    }


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    aws_request_id: str
    deadline_ms: int
    function_version: str = "$LATEST"
    region: str = "us-east-1"
    identity: Any = None
    client_context: Any = None

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/{os.getpid()}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))


Handler = Callable[[Any, LambdaContext], Any]


def load_handler(handler_path: str) -> Handler:
    """Import the handler as Lambda names it: `module.attribute`, e.g. `recommend.handler.lambda_handler`."""
    module_name, _, attribute = handler_path.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


def serve(handler: Handler, function: str, memory_mb: int, requests: BinaryIO, responses: BinaryIO) -> None:
    region = os.environ.get("AWS_REGION", "us-east-1")
    while (request := read_frame(requests)) is not None:
        context = LambdaContext(
            function_name=function,
            memory_limit_in_mb=memory_mb,
            aws_request_id=request["requestId"],
            deadline_ms=request["deadlineMs"],
            region=region,
        )
        try:
            response = {"ok": True, "result": handler(request["event"], context)}
        except Exception as error:
            traceback.print_exception(error)
            response = error_frame(error)
        sys.stdout.flush()
        write_frame(responses, response)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--function", required=True)
    parser.add_argument("--handler", required=True, help="module.attribute, as Lambda's handler setting")
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--request-fd", type=int, required=True)
    parser.add_argument("--response-fd", type=int, required=True)
    args = parser.parse_args(argv)
    # Ctrl-C in the terminal reaches the whole process group; the parent decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with os.fdopen(args.request_fd, "rb") as requests, os.fdopen(args.response_fd, "wb") as responses:
        try:
            handler = load_handler(args.handler)
        except Exception as error:
            traceback.print_exception(error)
            write_frame(responses, error_frame(error))
            return
        write_frame(responses, {"ok": True, "ready": True})
        serve(handler, args.function, args.memory_mb, requests, responses)


if __name__ == "__main__":
    main()
