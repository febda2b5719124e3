"""A tiny dataset in the agreed file format, written by the tests themselves.

Users view items of their persona's two categories in sessions that stay within one
category, and sometimes buy the last item viewed; enough structure for the recommender's
properties to show at a few thousand interactions.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

PERSONAS = {
    "apparel_housewares": ("apparel", "housewares"),
    "footwear_outdoors": ("footwear", "outdoors"),
    "electronics_beauty": ("electronics", "beauty"),
    "jewelry_accessories": ("jewelry", "accessories"),
}
CATEGORIES = tuple(category for pair in PERSONAS.values() for category in pair)
ITEMS_PER_CATEGORY = 12
SESSIONS_PER_USER = 6
VIEWS_PER_SESSION = 5
START_TIMESTAMP = 1_700_000_000


def item_id(number: int) -> str:
    return f"p{number:05d}"


def write_tiny_dataset(out_dir: Path, users: int = 40, seed: int = 7) -> Path:
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    items = [
        (item_id(position * ITEMS_PER_CATEGORY + offset + 1), category)
        for position, category in enumerate(CATEGORIES)
        for offset in range(ITEMS_PER_CATEGORY)
    ]
    by_category = {category: [item for item, c in items if c == category] for category in CATEGORIES}
    persona_names = list(PERSONAS)
    user_rows = [(str(user), persona_names[user % len(persona_names)]) for user in range(1, users + 1)]
    interactions: list[tuple[str, str, str, int]] = []
    for user, persona in user_rows:
        clock = START_TIMESTAMP + rng.randrange(3600)
        for _ in range(SESSIONS_PER_USER):
            catalog_slice = by_category[rng.choice(PERSONAS[persona])]
            viewed = rng.sample(
                catalog_slice[: ITEMS_PER_CATEGORY // 2 + rng.randrange(ITEMS_PER_CATEGORY // 2)], 4
            )
            for item in [*viewed, viewed[-1]][:VIEWS_PER_SESSION]:
                clock += rng.randrange(30, 300)
                interactions.append((user, item, "ProductViewed", clock))
            if rng.random() < 0.3:
                interactions.append((user, viewed[-1], "ProductAdded", clock + 5))
                interactions.append((user, viewed[-1], "OrderCompleted", clock + 60))
            clock += 86_400
    interactions.sort(key=lambda row: row[3])
    _write_csv(out_dir / "users.csv", ("USER_ID", "AGE", "GENDER"), [(u, 30, "F") for u, _ in user_rows])
    _write_csv(
        out_dir / "items.csv",
        ("ITEM_ID", "PRICE", "CATEGORY_L1", "CATEGORY_L2", "PRODUCT_NAME", "GENDER", "PROMOTED"),
        [(item, "19.99", category, "style", f"{category} {item}", "U", "N") for item, category in items],
    )
    _write_csv(out_dir / "interactions.csv", ("USER_ID", "ITEM_ID", "EVENT_TYPE", "TIMESTAMP"), interactions)
    users_json = [
        {
            "id": u,
            "username": f"user{u}",
            "name": f"User {u}",
            "age": 30,
            "gender": "F",
            "persona": persona,
            "categories": list(PERSONAS[persona]),
        }
        for u, persona in user_rows
    ]
    (out_dir / "users.json").write_text(json.dumps(users_json), encoding="utf-8")
    featured = [by_category[category][0] for category in CATEGORIES]
    (out_dir / "featured.json").write_text(json.dumps({"itemIds": featured}), encoding="utf-8")
    return out_dir


def _write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
