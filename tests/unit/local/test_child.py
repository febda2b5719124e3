"""local.child: the parent reads the child's ready line, stops it by closing its stdin, and names the
log when the child does not come up."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from local.child import ChildProcess, ChildStartError

pytestmark = pytest.mark.unit

SERVES = """
from local.child import announce, stop_requested
stopping = stop_requested()
announce({"url": "http://127.0.0.1:1"}, "serving")
stopping.wait()
"""
FAILS = "import sys; print('no model to train', file=sys.stderr); sys.exit(3)"
HANGS = """
from local.child import stop_requested
stop_requested().wait()
"""


def child(tmp_path: Path, script: str) -> ChildProcess:
    return ChildProcess("test server", [sys.executable, "-c", script], tmp_path / "logs" / "child.log")


def test_the_ready_line_is_read_and_closing_stdin_ends_the_child(tmp_path: Path) -> None:
    serving = child(tmp_path, SERVES)
    serving.start()
    try:
        assert serving.wait_ready(30) == {"url": "http://127.0.0.1:1"}
    finally:
        exit_code = serving.stop()
    assert exit_code == 0
    assert (tmp_path / "logs" / "child.log").read_text() == "serving\n"
    assert serving.stop() is None


def test_a_child_that_exits_without_a_ready_line_is_reported_with_its_log(tmp_path: Path) -> None:
    failing = child(tmp_path, FAILS)
    failing.start()
    with pytest.raises(ChildStartError, match=r"the test server did not start .*child\.log"):
        failing.wait_ready(30)
    assert "no model to train" in (tmp_path / "logs" / "child.log").read_text()


def test_a_child_that_is_not_ready_in_time_is_stopped(tmp_path: Path) -> None:
    hanging = child(tmp_path, HANGS)
    hanging.start()
    with pytest.raises(ChildStartError, match=r"within 0\.5 s"):
        hanging.wait_ready(0.5)
    assert hanging.stop() is None


def test_waiting_for_a_child_that_was_not_started_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(ChildStartError, match="the test server is not started"):
        child(tmp_path, SERVES).wait_ready(1)
