"""Shoppers' traffic for the operations page's tests: every function of the local stack called
through its API (recommendations signed in and anonymous, related items, ranking, events), so that
each widget of the dashboard definition has data; `Traffic` keeps it going in a thread."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import requests

from tests.stack_fixture import LocalStackHandle
from tests.tokens import signed_in
from tests.variants import holdout_shopper, personalized_shopper

TIMEOUT = 10


class Shoppers:
    def __init__(self, stack: LocalStackHandle) -> None:
        self.stack = stack
        self.session = requests.Session()
        catalog = json.loads((stack.dataset_dir / "catalog.json").read_text())
        self.items = [item["id"] for item in catalog["items"][:5]]
        self.personalized = signed_in(stack.info["cognito"], personalized_shopper())
        self.holdout = signed_in(stack.info["cognito"], holdout_shopper())

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.stack.api_url}{path}", timeout=TIMEOUT, **kwargs)

    def recommendations(self) -> str:
        """One signed-in answer of the personalized variant: its source."""
        response = self._call("GET", "/me/recommendations", headers=self.personalized)
        response.raise_for_status()
        source: str = response.json()["source"]
        return source

    def round(self) -> None:
        """Every function once (the sinks through the events)."""
        self.recommendations()
        self._call("GET", "/me/recommendations", headers=self.holdout)
        self._call("GET", "/recommendations")
        self._call("GET", "/related", params={"itemId": self.items[0]})
        self._call("POST", "/rank", json={"itemIds": self.items})
        self._call(
            "POST",
            "/me/events",
            headers=self.personalized,
            json={
                "sessionId": f"ops-{uuid.uuid4()}",
                "events": [
                    {"eventType": "ProductViewed", "itemId": self.items[1]},
                    {"eventType": "CartViewed"},
                ],
            },
        )

    def round_with_failures(self) -> None:
        """Three rounds, then what only failures emit: a fallback (Personalize failing an answer) and
        a failed delivery to Personalize (retried once the caller clears the faults it leaves set)."""
        for _ in range(3):
            self.round()
        self.stack.set_fault("personalize-runtime:GetRecommendations", error_rate=1.0)
        assert self.recommendations() == "fallback"
        self.stack.set_fault("personalize-events:PutEvents", error_rate=1.0)
        self.round()


class Traffic:
    """`Shoppers.recommendations` every `interval` seconds and a whole round every `round_every`, in a
    thread, until the context ends."""

    def __init__(self, shoppers: Shoppers, interval: float = 0.25, round_every: int = 8) -> None:
        self.shoppers = shoppers
        self.interval = interval
        self.round_every = round_every
        self.sources: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ops-traffic", daemon=True)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=TIMEOUT + 1)

    def _run(self) -> None:
        count = 0
        while not self._stop.is_set():
            try:
                if count % self.round_every == 0:
                    self.shoppers.round()
                self.sources.append(self.shoppers.recommendations())
            except requests.RequestException:
                pass  # the stack may be busy; the next call tries again
            count += 1
            self._stop.wait(self.interval)  # pacing the shoppers, not waiting for a result
