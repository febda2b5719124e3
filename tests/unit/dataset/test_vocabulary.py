"""The shipped vocabulary keeps the promises the generator relies on, and a malformed file is refused."""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from importlib import resources
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from dataset import PERSONAS, DatasetError
from dataset.vocabulary import (
    CATEGORIES,
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    VOCABULARY,
    VOCABULARY_FILE,
    CategoryVocabulary,
    Style,
    load_vocabulary,
)

pytestmark = pytest.mark.unit

IDS = [category.id for category in CATEGORIES]


def shipped() -> dict[str, Any]:
    return json.loads(resources.files("dataset").joinpath(VOCABULARY_FILE).read_text(encoding="utf-8"))


def test_the_file_ships_inside_the_package() -> None:
    assert resources.files("dataset").joinpath(VOCABULARY_FILE).is_file()
    assert load_vocabulary() == VOCABULARY


def test_category_ids_are_unique_and_cover_the_personas() -> None:
    assert len(set(IDS)) == len(IDS)
    assert {category for pair in PERSONAS for category in pair} <= set(IDS)


@pytest.mark.parametrize("category", CATEGORIES, ids=IDS)
def test_every_category_has_brands_adjectives_uses_and_styles(category: CategoryVocabulary) -> None:
    assert category.name
    assert category.brands
    assert category.adjectives
    assert category.uses
    assert category.styles
    for style in category.styles:
        assert style.nouns, style.name
        assert style.materials, style.name
        assert len(style.features) >= 2, f"{style.name}: a description names two features"


@pytest.mark.parametrize("category", CATEGORIES, ids=IDS)
def test_nouns_and_style_names_are_unique_within_a_category(category: CategoryVocabulary) -> None:
    nouns = Counter(noun for style in category.styles for noun in style.nouns)
    assert [noun for noun, count in nouns.items() if count > 1] == []
    names = Counter(style.name for style in category.styles)
    assert [name for name, count in names.items() if count > 1] == []


@pytest.mark.parametrize("category", CATEGORIES, ids=IDS)
def test_every_product_name_is_unique_within_its_category(category: CategoryVocabulary) -> None:
    """Unique words are not enough if "A B" + "C" could read like "A" + "B C": spell every name out."""
    nouns = [noun for style in category.styles for noun in style.nouns]
    names = {f"{b} {a} {n}" for b, a, n in product(category.brands, category.adjectives, nouns)}
    assert len(names) == len(category.brands) * len(category.adjectives) * len(nouns)


@pytest.mark.parametrize("category", CATEGORIES, ids=IDS)
def test_price_ranges_are_ordered_and_positive(category: CategoryVocabulary) -> None:
    for style in category.styles:
        low, high = style.price_range
        assert 0 < low < high, f"{category.id}/{style.name}: {style.price_range}"


@pytest.mark.parametrize("category", CATEGORIES, ids=IDS)
def test_gender_cycles_use_only_known_genders(category: CategoryVocabulary) -> None:
    for style in category.styles:
        assert style.genders
        assert set(style.genders) <= {"M", "F", "U"}, f"{category.id}/{style.name}: {style.genders}"
        assert len(set(style.genders)) == len(style.genders)


def test_shopper_names_are_non_empty_and_unique() -> None:
    for names in (FEMALE_FIRST_NAMES, MALE_FIRST_NAMES, LAST_NAMES):
        assert names
        assert len(set(names)) == len(names)
        assert all(name and name == name.strip() for name in names)


def test_the_loaded_values_are_tuples_all_the_way_down() -> None:
    def check(value: object, where: str) -> None:
        assert not isinstance(value, list | dict), f"{where} is a {type(value).__name__}"
        if is_dataclass(value):
            for field in fields(value):
                check(getattr(value, field.name), f"{where}.{field.name}")
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                check(item, f"{where}[{index}]")

    check(VOCABULARY, "VOCABULARY")
    assert all(isinstance(style, Style) for category in CATEGORIES for style in category.styles)
    assert all(len(style.price_range) == 2 for category in CATEGORIES for style in category.styles)


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _second_style_reuses_a_noun(data: dict[str, Any]) -> None:
    styles = data["categories"][0]["styles"]
    styles[1]["nouns"].append(styles[0]["nouns"][0])


def _second_category_reuses_the_first_id(data: dict[str, Any]) -> None:
    data["categories"][1]["id"] = data["categories"][0]["id"]


FIRST = ("categories", 0)
FIRST_STYLE = (*FIRST, "styles", 0)
MALFORMED: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "unknown top-level key": (lambda data: data.update(version=1), "unknown version (expected the keys"),
    "missing key": (_delete((*FIRST_STYLE, "genders")), "({category}).styles[0]: missing genders"),
    "misspelt key": (
        lambda data: data["categories"][0].update(brand=data["categories"][0].pop("brands")),
        "categories[0]: missing brands; unknown brand",
    ),
    "no categories": (_set(("categories",), []), "categories: is empty"),
    "no brands": (_set((*FIRST, "brands"), []), "({category}).brands: is empty"),
    "adjectives not a list": (
        _set((*FIRST, "adjectives"), "Classic"),
        ".adjectives: expected a list, got str",
    ),
    "no styles": (_set((*FIRST, "styles"), []), "({category}).styles: is empty"),
    "word not a string": (_set((*FIRST, "brands", 1), 7), ".brands[1]: expected a string, got int"),
    "empty word": (_set((*FIRST, "uses", 0), ""), ".uses[0]: expected a non-empty string"),
    "padded word": (_set((*FIRST_STYLE, "nouns", 0), " Shirt"), ".nouns[0]: expected a non-empty string"),
    "duplicate brand": (
        lambda data: data["categories"][0]["brands"].append(data["categories"][0]["brands"][0]),
        ".brands: duplicate entry",
    ),
    "noun shared by two styles": (_second_style_reuses_a_noun, "({category}).styles: duplicate noun"),
    "duplicate category id": (_second_category_reuses_the_first_id, "categories: duplicate category id"),
    "one feature": (
        lambda data: data["categories"][0]["styles"][0].update(features=["a pocket"]),
        ".features: needs at least 2 features, got 1",
    ),
    "reversed price range": (
        _set((*FIRST_STYLE, "price_range"), [89, 24]),
        "categories[0] ({category}).styles[0] ({style}).price_range: "
        "expected [low, high] with 0 < low < high, got [89, 24]",
    ),
    "equal price range": (
        _set((*FIRST_STYLE, "price_range"), [24, 24]),
        ".price_range: expected [low, high]",
    ),
    "zero price": (_set((*FIRST_STYLE, "price_range"), [0, 24]), ".price_range: expected [low, high]"),
    "price as text": (
        _set((*FIRST_STYLE, "price_range"), ["24", "89"]),
        ".price_range: expected [low, high]",
    ),
    "price as bool": (_set((*FIRST_STYLE, "price_range"), [True, 89]), ".price_range: expected [low, high]"),
    "three prices": (_set((*FIRST_STYLE, "price_range"), [1, 2, 3]), ".price_range: expected [low, high]"),
    "unknown genders": (_set((*FIRST_STYLE, "genders"), "X"), ".genders: expected one of U, F, M, MF, MFU"),
    "no last names": (_set(("last_names",), []), "last_names: is empty"),
}


@pytest.mark.parametrize(("change", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_file_is_refused_with_the_place_it_breaks(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = copy.deepcopy(shipped())
    message = message.format(
        category=data["categories"][0]["id"], style=data["categories"][0]["styles"][0]["name"]
    )
    change(data)
    path = tmp_path / VOCABULARY_FILE
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(DatasetError) as raised:
        load_vocabulary(path)

    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)


def test_an_unchanged_copy_loads_to_the_same_vocabulary(tmp_path: Path) -> None:
    path = tmp_path / VOCABULARY_FILE
    path.write_text(json.dumps(shipped()), encoding="utf-8")
    assert load_vocabulary(path) == VOCABULARY


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / VOCABULARY_FILE
    path.write_text('{"categories": [', encoding="utf-8")
    with pytest.raises(DatasetError, match="not valid JSON"):
        load_vocabulary(path)


def test_a_file_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / VOCABULARY_FILE
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(DatasetError, match="expected an object, got list"):
        load_vocabulary(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot read the vocabulary file"):
        load_vocabulary(tmp_path / "absent.json")
