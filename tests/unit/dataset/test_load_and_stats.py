"""`load` reads a dataset back as written; `stats` prints figures that agree with the data."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dataset import EVENT_TYPES, PERSONA_NAMES, Dataset, DatasetError, load
from dataset.__main__ import main
from dataset.stats import compute_stats
from tests.unit.dataset.conftest import SMALL, read_csv

pytestmark = pytest.mark.unit

REPOSITORY = Path(__file__).resolve().parents[3]


def test_load_gives_the_rows_of_the_csv_in_order(small_dir: Path, small: Dataset) -> None:
    _, rows = read_csv(small_dir / "interactions.csv")
    interactions = small.interactions

    assert [small.users[index].id for index in interactions.user[:50]] == [row[0] for row in rows[:50]]
    assert [small.items[index].id for index in interactions.item[-50:]] == [row[1] for row in rows[-50:]]
    assert [EVENT_TYPES[code] for code in interactions.event_type[:50]] == [row[2] for row in rows[:50]]
    assert interactions.timestamp.tolist() == [int(row[3]) for row in rows]
    assert small.user_position()[small.users[17].id] == 17
    assert small.item_position()[small.items[42].id] == 42


def test_of_type_keeps_only_that_event_type(small: Dataset) -> None:
    views = small.interactions.of_type("ProductViewed")

    assert len(views) == small.manifest.event_types["ProductViewed"]
    assert set(views.event_type.tolist()) == {EVENT_TYPES.index("ProductViewed")}
    with pytest.raises(DatasetError, match="unknown event type 'Clicked'"):
        small.interactions.of_type("Clicked")


def test_load_reports_a_missing_folder_or_file(tmp_path: Path, small_dir: Path) -> None:
    with pytest.raises(DatasetError, match="is not a folder"):
        load(tmp_path / "absent")
    copy = tmp_path / "copy"
    shutil.copytree(small_dir, copy)
    (copy / "manifest.json").unlink()
    with pytest.raises(DatasetError, match=r"manifest.json is missing; generate the dataset"):
        load(copy)


def test_load_reports_an_interaction_with_an_unknown_item(tmp_path: Path, small_dir: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(small_dir, copy)
    with (copy / "interactions.csv").open("a") as handle:
        handle.write("1,p99999,ProductViewed,1793000000\n")

    with pytest.raises(DatasetError, match="ITEM_ID 'p99999', which the dataset does not define"):
        load(copy)


def test_stats_agree_with_the_interactions(small: Dataset) -> None:
    stats = compute_stats(small)
    per_user = np.bincount(small.interactions.user, minlength=len(small.users))
    per_item = np.bincount(small.interactions.item, minlength=len(small.items))

    assert stats.interactions == SMALL.interactions
    assert stats.event_types == small.manifest.event_types
    assert sum(stats.users_per_persona.values()) == SMALL.users
    assert (stats.per_user.minimum, stats.per_user.median, stats.per_user.maximum) == (
        per_user.min(),
        np.median(per_user),
        per_user.max(),
    )
    assert (stats.per_item.minimum, stats.per_item.maximum) == (per_item.min(), per_item.max())
    assert set(stats.persona_view_share) == set(PERSONA_NAMES)


def test_stats_command_prints_the_figures(small_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(small_dir)]) == 0
    output = capsys.readouterr().out

    assert f"interactions {SMALL.interactions}" in output
    assert all(name in output for name in EVENT_TYPES)
    assert all(name in output for name in PERSONA_NAMES)
    assert "interactions per user: min" in output
    assert "interactions per item: min" in output


def test_stats_command_reports_a_folder_without_a_dataset(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dataset", "stats", str(tmp_path)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert "manifest.json is missing" in result.stderr
