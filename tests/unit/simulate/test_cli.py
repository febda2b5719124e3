"""`python -m simulate`: its arguments, and a clear message and exit code without a stack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulate.__main__ import EXIT_NO_STACK, EXIT_USAGE, main, parse
from simulate.stack import StackUnavailableError, require_loopback

pytestmark = pytest.mark.unit


def test_without_a_stack_and_without_starting_one_it_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data", str(tmp_path), "--no-start"]) == EXIT_NO_STACK
    err = capsys.readouterr().err
    assert "Cannot reach a local stack" in err
    assert "endpoints.json" in err
    assert "make demo" in err


def test_a_stack_off_the_loopback_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "endpoints.json").write_text(
        json.dumps({"api": "https://api.example.com", "storefront": "http://127.0.0.1:8080"})
    )
    assert main(["--data", str(tmp_path), "--no-start"]) == EXIT_NO_STACK
    assert "not on this machine's loopback" in capsys.readouterr().err


def test_loopback_urls_pass() -> None:
    assert require_loopback("http://127.0.0.1:3000", "API") == "http://127.0.0.1:3000"
    assert require_loopback("http://localhost:3000", "API") == "http://localhost:3000"
    with pytest.raises(StackUnavailableError):
        require_loopback("http://10.0.0.1:3000", "API")


@pytest.mark.parametrize(
    "arguments",
    [
        ["--shoppers", "0"],
        ["--pages", "0"],
        ["--concurrency", "0"],
        ["--concurrency", "64"],
        ["--run-id", "a b"],
    ],
)
def test_bad_arguments_exit_2(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        parse(arguments)
    assert raised.value.code == EXIT_USAGE
    assert "must" in capsys.readouterr().err


def test_a_run_id_is_fresh_unless_given(tmp_path: Path) -> None:
    assert parse(["--data", str(tmp_path)]).run_id != parse(["--data", str(tmp_path)]).run_id
    assert parse(["--run-id", "r1"]).run_id == "r1"
