"""The project's own words for the catalog and the shoppers.

Product names are `<brand> <adjective> <noun>`; brands and adjectives belong to a category and nouns to
a style, and nouns are unique within a category, so every name is unique within its category.

The words live in `vocabulary.json` beside this module, read once on import. The file is checked as it
is read: every list of words is non-empty and free of duplicates, nouns are unique within a category,
category ids and style names are unique, a style has at least two features and a price range
`[low, high]` with `0 < low < high`, and its genders are one of `GENDER_CYCLES`. A file that breaks
any of this raises `DatasetError` naming the file and the place in it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from dataset.errors import DatasetError

VOCABULARY_FILE = "vocabulary.json"
GENDER_CYCLES = ("U", "F", "M", "MF", "MFU")
MIN_FEATURES = 2
"""A description names two of its style's features."""


@dataclass(frozen=True)
class Style:
    name: str
    nouns: tuple[str, ...]
    materials: tuple[str, ...]
    features: tuple[str, ...]
    price_range: tuple[float, float]
    genders: str
    """Gender affinity of the style's affinity groups, cycled over them: "U", "F", "M", "MF" or "MFU"."""


@dataclass(frozen=True)
class CategoryVocabulary:
    id: str
    name: str
    brands: tuple[str, ...]
    adjectives: tuple[str, ...]
    uses: tuple[str, ...]
    styles: tuple[Style, ...]


@dataclass(frozen=True)
class Vocabulary:
    categories: tuple[CategoryVocabulary, ...]
    female_first_names: tuple[str, ...]
    male_first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def load_vocabulary(source: Traversable | None = None) -> Vocabulary:
    """The vocabulary in `source`, by default the `vocabulary.json` shipped with the package."""
    file = source if source is not None else resources.files("dataset").joinpath(VOCABULARY_FILE)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise DatasetError(f"cannot read the vocabulary file {file}: {error}") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DatasetError(f"{file}: not valid JSON: {error}") from error
    try:
        return _vocabulary(data)
    except _Malformed as error:
        raise DatasetError(f"{file}: {error}") from None


class _Malformed(Exception):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)


def _vocabulary(data: Any) -> Vocabulary:
    fields = _object(data, "", ("categories", "female_first_names", "male_first_names", "last_names"))
    categories = tuple(
        _category(item, f"categories[{index}]")
        for index, item in enumerate(_list(fields["categories"], "categories"))
    )
    _unique([category.id for category in categories], "categories", "category id")
    return Vocabulary(
        categories=categories,
        female_first_names=_words(fields["female_first_names"], "female_first_names"),
        male_first_names=_words(fields["male_first_names"], "male_first_names"),
        last_names=_words(fields["last_names"], "last_names"),
    )


def _category(data: Any, where: str) -> CategoryVocabulary:
    fields = _object(data, where, ("id", "name", "brands", "adjectives", "uses", "styles"))
    category_id = _word(fields["id"], f"{where}.id")
    where = f"{where} ({category_id})"
    styles = tuple(
        _style(item, f"{where}.styles[{index}]")
        for index, item in enumerate(_list(fields["styles"], f"{where}.styles"))
    )
    _unique([style.name for style in styles], f"{where}.styles", "style name")
    _unique([noun for style in styles for noun in style.nouns], f"{where}.styles", "noun")
    return CategoryVocabulary(
        id=category_id,
        name=_word(fields["name"], f"{where}.name"),
        brands=_words(fields["brands"], f"{where}.brands"),
        adjectives=_words(fields["adjectives"], f"{where}.adjectives"),
        uses=_words(fields["uses"], f"{where}.uses"),
        styles=styles,
    )


def _style(data: Any, where: str) -> Style:
    fields = _object(data, where, ("name", "nouns", "materials", "features", "price_range", "genders"))
    name = _word(fields["name"], f"{where}.name")
    where = f"{where} ({name})"
    features = _words(fields["features"], f"{where}.features")
    if len(features) < MIN_FEATURES:
        raise _Malformed(f"{where}.features", f"needs at least {MIN_FEATURES} features, got {len(features)}")
    genders = fields["genders"]
    if genders not in GENDER_CYCLES:
        raise _Malformed(f"{where}.genders", f"expected one of {', '.join(GENDER_CYCLES)}, got {genders!r}")
    return Style(
        name=name,
        nouns=_words(fields["nouns"], f"{where}.nouns"),
        materials=_words(fields["materials"], f"{where}.materials"),
        features=features,
        price_range=_price_range(fields["price_range"], f"{where}.price_range"),
        genders=genders,
    )


def _price_range(data: Any, where: str) -> tuple[float, float]:
    if (
        isinstance(data, list)
        and len(data) == 2
        and all(isinstance(bound, int | float) and not isinstance(bound, bool) for bound in data)
        and 0 < data[0] < data[1]
    ):
        # The numbers are kept as written (24 stays an int) so prices come out as they always have.
        return data[0], data[1]
    raise _Malformed(where, f"expected [low, high] with 0 < low < high, got {json.dumps(data)}")


def _object(data: Any, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _Malformed(where, f"expected an object, got {type(data).__name__}")
    missing = [key for key in keys if key not in data]
    unknown = [key for key in data if key not in keys]
    if missing or unknown:
        problems = [f"missing {', '.join(missing)}"] if missing else []
        problems += [f"unknown {', '.join(unknown)}"] if unknown else []
        raise _Malformed(where, f"{'; '.join(problems)} (expected the keys {', '.join(keys)})")
    return data


def _list(data: Any, where: str) -> list[Any]:
    if not isinstance(data, list):
        raise _Malformed(where, f"expected a list, got {type(data).__name__}")
    if not data:
        raise _Malformed(where, "is empty")
    return data


def _words(data: Any, where: str) -> tuple[str, ...]:
    words = tuple(_word(item, f"{where}[{index}]") for index, item in enumerate(_list(data, where)))
    _unique(list(words), where, "entry")
    return words


def _word(data: Any, where: str) -> str:
    if not isinstance(data, str):
        raise _Malformed(where, f"expected a string, got {type(data).__name__}")
    if not data or data != data.strip():
        raise _Malformed(where, f"expected a non-empty string without surrounding spaces, got {data!r}")
    return data


def _unique(values: list[str], where: str, what: str) -> None:
    repeated = [value for value, count in Counter(values).items() if count > 1]
    if repeated:
        raise _Malformed(where, f"duplicate {what} {', '.join(map(repr, repeated))}")


VOCABULARY = load_vocabulary()
CATEGORIES: tuple[CategoryVocabulary, ...] = VOCABULARY.categories
FEMALE_FIRST_NAMES: tuple[str, ...] = VOCABULARY.female_first_names
MALE_FIRST_NAMES: tuple[str, ...] = VOCABULARY.male_first_names
LAST_NAMES: tuple[str, ...] = VOCABULARY.last_names
