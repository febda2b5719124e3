"""`python -m local.demo` as a user runs it: busy ports, Ctrl-C, and a parent killed outright."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from local.launcher import REPOSITORY_ROOT
from tests.stack_fixture import SMALL_DATASET, LocalStackHandle, start_stack, stop_stack

pytestmark = pytest.mark.integration

EXIT_TIMEOUT = 30


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.add(child)
            pending.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def wait_until_gone(pids: set[int], timeout: float) -> set[int]:
    deadline = time.monotonic() + timeout
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive(pids)


@pytest.fixture
def data_dir_with_dataset(local_stack: LocalStackHandle, tmp_path: Path) -> Path:
    """A data folder that already holds the session's small dataset (no generation)."""
    shutil.copytree(local_stack.dataset_dir, tmp_path / "dataset")
    return tmp_path


def small_dataset_arguments() -> list[str]:
    return ["--api-port=0", "--storefront-port=0", *SMALL_DATASET]


def test_a_second_demo_on_the_same_ports_says_they_are_busy(
    local_stack: LocalStackHandle, tmp_path: Path
) -> None:
    api_port = local_stack.api_url.rsplit(":", 1)[1]
    storefront_port = local_stack.storefront_url.rsplit(":", 1)[1]

    result = subprocess.run(
        [sys.executable, "-m", "local.demo", "--api-port", api_port, "--storefront-port", storefront_port],
        cwd=REPOSITORY_ROOT,
        env={**os.environ, "DEMO_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=EXIT_TIMEOUT,
        check=False,
    )

    assert result.returncode == 2
    assert "busy" in result.stderr
    assert api_port in result.stderr
    assert not (tmp_path / "dataset").exists()


def test_ctrl_c_stops_every_part_and_frees_the_ports(data_dir_with_dataset: Path) -> None:
    handle = start_stack(data_dir_with_dataset, *small_dataset_arguments())
    ports = [
        int(url.rsplit(":", 1)[1]) for url in (handle.api_url, handle.storefront_url, handle.emulator_url)
    ]
    children = descendants(handle.process.pid)
    assert len(children) >= 7  # the emulator and one warm instance per function
    assert (data_dir_with_dataset / "endpoints.json").exists()

    exit_code = stop_stack(handle)

    assert exit_code == 0
    assert wait_until_gone(children, timeout=5) == set()
    assert all(port_is_free(port) for port in ports)
    assert not (data_dir_with_dataset / "endpoints.json").exists(), "a stopped demo leaves no endpoints"


def test_no_part_outlives_a_killed_demo(data_dir_with_dataset: Path) -> None:
    handle = start_stack(data_dir_with_dataset, *small_dataset_arguments())
    children = descendants(handle.process.pid)

    handle.process.send_signal(signal.SIGKILL)
    handle.process.wait(timeout=EXIT_TIMEOUT)
    assert handle.process.stdout is not None
    handle.process.stdout.close()

    assert wait_until_gone(children, timeout=10) == set()
