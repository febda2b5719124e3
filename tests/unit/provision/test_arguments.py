"""Bad arguments: exit code 2, a message that says what to change, no AWS client built."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from provision.__main__ import main
from provision.dataset_files import load_dataset
from provision.settings import USE_CASES, ArgumentError, ProvisionSettings, parse_recipe_overrides

pytestmark = pytest.mark.unit


class NoClients:
    def __init__(self) -> None:
        self.requested: list[str] = []

    def __call__(self, service: str, _region: str | None) -> object:
        self.requested.append(service)
        raise AssertionError(f"a {service} client was built for bad arguments")


def run(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    clients = NoClients()
    code = main(arguments, client_factory=clients)
    assert clients.requested == []
    return code, capsys.readouterr().err


@pytest.fixture
def copy_of_dataset(dataset_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(dataset_dir, tmp_path / "dataset"))


def test_a_missing_dataset_folder(
    outputs_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, error = run(
        ["up", "--dataset", str(tmp_path / "nope"), "--stack-outputs", str(outputs_file)], capsys
    )

    assert code == 2
    assert "dataset folder" in error
    assert "python -m dataset generate" in error


def test_a_missing_stack_outputs_file(
    dataset_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "outputs.json"

    code, error = run(["up", "--dataset", str(dataset_dir), "--stack-outputs", str(missing)], capsys)

    assert code == 2
    assert "npx cdk deploy --outputs-file" in error


@pytest.mark.parametrize("command", ["down", "status"])
def test_down_and_status_need_the_stack_outputs_too(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, error = run([command, "--stack-outputs", str(tmp_path / "outputs.json")], capsys)

    assert code == 2
    assert "not found" in error


def test_stack_outputs_without_the_bucket(
    dataset_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"RetailPersonalization": {"PersonalizeRoleArn": "arn"}}), encoding="utf-8")

    code, error = run(["up", "--dataset", str(dataset_dir), "--stack-outputs", str(outputs)], capsys)

    assert code == 2
    assert "DataBucketName" in error
    assert "ParameterPrefix" in error


def test_a_dataset_whose_csv_does_not_match_its_schema(
    copy_of_dataset: Path, outputs_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = copy_of_dataset / "items.csv"
    lines = items.read_text(encoding="utf-8").splitlines()
    items.write_text(
        "\n".join([lines[0].replace("CATEGORY_L1", "CATEGORY"), *lines[1:]]) + "\n", encoding="utf-8"
    )

    code, error = run(["up", "--dataset", str(copy_of_dataset), "--stack-outputs", str(outputs_file)], capsys)

    assert code == 2
    assert "items.csv header" in error
    assert "does not match schemas/items.json" in error


def test_a_schema_without_a_field_a_filter_uses(copy_of_dataset: Path) -> None:
    schema_path = copy_of_dataset / "schemas" / "items.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"] = [f for f in schema["fields"] if f["name"] != "CATEGORY_L1"]
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    items = copy_of_dataset / "items.csv"
    rows = [line.split(",") for line in items.read_text(encoding="utf-8").splitlines()]
    column = rows[0].index("CATEGORY_L1")
    items.write_text("\n".join(",".join(r[:column] + r[column + 1 :]) for r in rows) + "\n", encoding="utf-8")

    with pytest.raises(ArgumentError, match=r"filter include-category uses Items\.CATEGORY_L1"):
        load_dataset(copy_of_dataset, "ProductViewed")


def test_too_few_training_events(copy_of_dataset: Path) -> None:
    with pytest.raises(ArgumentError, match="ProductPurchased events; training needs at least 1000"):
        load_dataset(copy_of_dataset, "ProductPurchased")


def test_missing_files_and_unknown_featured_items_are_all_reported(copy_of_dataset: Path) -> None:
    (copy_of_dataset / "schemas" / "users.json").unlink()
    (copy_of_dataset / "featured.json").write_text(json.dumps({"itemIds": ["p99999"]}), encoding="utf-8")

    with pytest.raises(ArgumentError) as raised:
        load_dataset(copy_of_dataset, "ProductViewed")

    assert "users.json" in str(raised.value)
    assert "p99999" in str(raised.value)


def test_a_row_with_the_wrong_number_of_columns(copy_of_dataset: Path) -> None:
    with (copy_of_dataset / "users.csv").open("a", encoding="utf-8") as users:
        users.write("999,41\n")

    with pytest.raises(ArgumentError, match=r"users\.csv: 1 row\(s\) do not have 3 columns"):
        load_dataset(copy_of_dataset, "ProductViewed")


@pytest.mark.parametrize(
    ("recipe", "message"),
    [
        ("related-items", "USE_CASE=RECIPE_ARN"),
        ("similar=arn:aws:personalize:::recipe/aws-similar-items", "unknown use case"),
        ("related-items=aws-similar-items", "must be a recipe ARN"),
    ],
)
def test_bad_recipe_overrides(
    recipe: str, message: str, dataset_dir: Path, outputs_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = [
        "up",
        "--dataset",
        str(dataset_dir),
        "--stack-outputs",
        str(outputs_file),
        "--recipe",
        recipe,
    ]

    code, error = run(arguments, capsys)

    assert code == 2
    assert message in error


def test_a_recipe_override_replaces_only_its_use_case() -> None:
    overrides = parse_recipe_overrides(["related-items=arn:aws:personalize:::recipe/aws-similar-items"])
    settings = ProvisionSettings(recipes={**{u.key: u.default_recipe_arn for u in USE_CASES}, **overrides})

    assert [settings.recipe_for(u) for u in USE_CASES] == [
        "arn:aws:personalize:::recipe/aws-user-personalization-v2",
        "arn:aws:personalize:::recipe/aws-similar-items",
        "arn:aws:personalize:::recipe/aws-personalized-ranking-v2",
    ]
