"""Determinism, the atomic write into place, and clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataset import DatasetError, GeneratorConfig, generate, load
from dataset import writer as writer_module
from dataset.__main__ import main
from dataset.loader import read_manifest
from tests.unit.dataset.conftest import SMALL

pytestmark = pytest.mark.unit

DATASET_FILES = {
    "users.csv",
    "items.csv",
    "interactions.csv",
    "schemas/users.json",
    "schemas/items.json",
    "schemas/interactions.json",
    "catalog.json",
    "users.json",
    "featured.json",
    "manifest.json",
}


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path, small_dir: Path) -> None:
    generate(tmp_path / "again", SMALL)

    assert set(_files(small_dir)) == DATASET_FILES
    assert _files(tmp_path / "again") == _files(small_dir)


def test_another_seed_gives_another_history(tmp_path: Path, small_dir: Path) -> None:
    generate(tmp_path / "other", GeneratorConfig(seed=7, users=200, items=100, interactions=5_000))

    assert (tmp_path / "other" / "interactions.csv").read_bytes() != (
        small_dir / "interactions.csv"
    ).read_bytes()
    assert (tmp_path / "other" / "catalog.json").read_bytes() != (small_dir / "catalog.json").read_bytes()


def test_regenerating_replaces_a_dataset_and_leaves_no_temporary_folder(tmp_path: Path) -> None:
    out = tmp_path / "dataset"
    generate(out, SMALL)
    manifest = generate(out, GeneratorConfig(seed=3, users=50, items=60, interactions=500))

    assert read_manifest(out).seed == manifest.seed == 3
    assert load(out).manifest.users == 50
    assert [path.name for path in tmp_path.iterdir()] == ["dataset"]


def test_a_failure_while_writing_leaves_the_previous_dataset_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dataset"
    generate(out, SMALL)
    before = _files(out)

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer_module, "_write_interactions", disk_full)
    with pytest.raises(DatasetError, match="No space left on device"):
        generate(out, GeneratorConfig(seed=3, users=50, items=60, interactions=500))

    assert _files(out) == before
    assert [path.name for path in tmp_path.iterdir()] == ["dataset"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"users": 0}, "users must be at least 1"),
        ({"users": -5}, "users must be at least 1"),
        ({"items": 0}, "items must be at least 56"),
        ({"items": 100_000}, "items must be at most"),
        ({"interactions": 0}, "interactions must be at least the number of users"),
        ({"interactions": -1}, "interactions must be at least the number of users"),
        ({"seed": -1}, "seed must be 0 or more"),
        ({"days": 0}, "days must be at least 1"),
        ({"exploration_share": 0.9}, "exploration_share must be between 0 and 0.5"),
        ({"featured": 101}, "featured must be between 0 and 100"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(
    settings: dict[str, int | float], message: str
) -> None:
    with pytest.raises(DatasetError, match=message):
        GeneratorConfig(**settings)  # type: ignore[arg-type]


def test_a_file_where_a_folder_is_wanted_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "file.txt"
    file.write_text("not a folder")

    with pytest.raises(DatasetError, match="is a file"):
        generate(file, SMALL)
    with pytest.raises(DatasetError, match="is a file"):
        generate(file / "dataset", SMALL)
    assert file.read_text() == "not a folder"


def test_a_folder_holding_other_files_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")

    with pytest.raises(DatasetError, match="not empty and holds no generated dataset"):
        generate(tmp_path, SMALL)
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_an_unwritable_folder_is_reported() -> None:
    with pytest.raises(DatasetError, match="cannot write to /sys"):
        generate(Path("/sys/retail-dataset"), SMALL)


def test_the_command_line_reports_bad_arguments_without_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dataset"

    assert main(["generate", "--out", str(out), "--users", "0", "--interactions", "-3"]) == 2
    error = capsys.readouterr().err
    assert "users must be at least 1" in error
    assert "interactions must be at least" in error
    assert not out.exists()


def test_the_command_line_generates_a_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dataset"

    code = main(
        [
            "generate",
            "--out",
            str(out),
            "--seed",
            "5",
            "--users",
            "80",
            "--items",
            "64",
            "--interactions",
            "900",
        ]
    )

    assert code == 0
    assert "80 users, 64 items, 900 interactions (seed 5)" in capsys.readouterr().out
    assert load(out).manifest.seed == 5


@pytest.mark.parametrize("argument", ["--users", "--items", "--interactions", "--seed"])
def test_the_command_line_refuses_a_size_that_is_not_a_number(tmp_path: Path, argument: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", "--out", str(tmp_path / "dataset"), argument, "many"])

    assert exit_info.value.code == 2


def test_progress_is_reported_stage_by_stage(tmp_path: Path) -> None:
    messages: list[str] = []

    generate(tmp_path / "dataset", SMALL, progress=messages.append)

    assert [message.split(":")[0].split(" ")[0] for message in messages] == [
        "catalog",
        "shoppers",
        "history",
        "writing",
    ]
