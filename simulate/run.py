"""The simulated shoppers on a small thread pool, and the tally of what the run sent.

Each shopper runs its visit (`simulate.shopper.Visit`) on one thread from start to end with its own
`random.Random`, HTTP session and ID token, so the thread schedule changes when requests are made,
never which. The ids the run mints (session ids, event ids, order ids) carry the run id, so that
runs of the same seed do not repeat an eventId (downstream, a repeated eventId is a retry of the
first); `--run-id` pins it for byte-identical requests.

The tally counts, per answer shown, the events the API accepted; `Tally.rows()` answers them in
the shape of the named query `experiment-outcomes`, so `experiments.report.build_report` reports
the run on its own, and `simulate.outcomes` can tell when the analytics store holds all of it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from simulate.client import (
    ApiError,
    CognitoAccounts,
    CognitoError,
    EventsOutcome,
    RequestCounter,
    ShopperClient,
)
from simulate.model import ClickModel, Navigation
from simulate.population import Catalog, SimulatedShopper, shopper_rng
from simulate.shopper import HOME_RESULTS, RELATED_RESULTS, Action, Answer, Page, PageKind, Visit
from simulate.stack import StackEndpoints

logger = logging.getLogger("simulate.run")

PASSWORD = "Simulated-shopper-2026"  # noqa: S105 (the local twin's simulated accounts)
EMAIL_DOMAIN = "simulate.example"

SOURCES = ("personalize", "fallback", "featured", "natural")
OUTCOME_COLUMNS: dict[str, tuple[str, str]] = {
    "ProductViewed": ("clicked_exposures", "click_events"),
    "ProductAdded": ("added_exposures", "add_events"),
    "OrderCompleted": ("ordered_exposures", "order_events"),
}
"""The outcomes of an exposure, and their columns: exposures with one at least, and the events."""


def account_email(shopper_id: str) -> str:
    """One account per dataset shopper, kept from run to run (the second run signs in)."""
    return f"shopper-{shopper_id}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class RunConfig:
    seed: int
    pages: int
    """Pages each shopper opens."""
    concurrency: int
    run_id: str
    model: ClickModel = field(default_factory=ClickModel)
    navigation: Navigation = field(default_factory=Navigation)

    def session_id(self, shopper_id: str) -> str:
        return f"sim-{self.run_id}-{shopper_id}"


@dataclass
class Exposure:
    """One answer shown, and what the API accepted of the events that carried its recommendationId."""

    experiment: tuple[str, str] | None
    source: str
    shown_events: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)


class Tally:
    """What the run sent and the API accepted (thread-safe)."""

    def __init__(self) -> None:
        self.exposures: dict[str, Exposure] = {}
        self.events: Counter[str] = Counter()
        """Accepted events by type."""
        self.pages: Counter[str] = Counter()
        """Pages answered, by kind."""
        self.page_failures = 0
        self.rejected = 0
        self.lost = 0
        self.retries = 0
        self.shoppers = 0
        self.failed_shoppers: list[str] = []
        self._lock = threading.Lock()

    def page(self, page: Page, answered: bool) -> None:
        with self._lock:
            if answered:
                self.pages[page.kind.value] += 1
            else:
                self.page_failures += 1

    def shopper(self, shopper_id: str, error: str | None) -> None:
        with self._lock:
            self.shoppers += 1
            if error is not None:
                self.failed_shoppers.append(f"{shopper_id}: {error}")

    def sent(self, events: Iterable[tuple[str, Action]], outcome: EventsOutcome) -> None:
        accepted = set(outcome.accepted)
        with self._lock:
            self.rejected += len(outcome.rejected)
            self.lost += len(outcome.lost)
            self.retries += outcome.retries
            for event_id, action in events:
                if event_id not in accepted:
                    continue
                self.events[action.event_type] += 1
                self._count(action)

    def _count(self, action: Action) -> None:
        rid = action.recommendation_id
        if rid is None:
            return
        experiment = (action.experiment["name"], action.experiment["variant"]) if action.experiment else None
        if action.event_type == "RecommendationsShown":
            exposure = self.exposures.setdefault(rid, Exposure(experiment, str(action.properties["source"])))
            exposure.shown_events += 1
            return
        outcome_of = self.exposures.get(rid)
        # As the query counts: an outcome of the exposure's own experiment and variant.
        if (
            action.event_type in OUTCOME_COLUMNS
            and outcome_of is not None
            and outcome_of.experiment == experiment
        ):
            outcome_of.outcomes[action.event_type] += 1

    def rows(self) -> list[dict[str, Any]]:
        """The run's exposures per experiment and variant, as `experiment-outcomes` rows."""
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        with self._lock:
            exposures = [exposure for exposure in self.exposures.values() if exposure.experiment]
            for exposure in exposures:
                assert exposure.experiment is not None
                name, variant = exposure.experiment
                row = rows.setdefault(exposure.experiment, _empty_row(name, variant))
                row["exposures"] += 1
                row["shown_events"] += exposure.shown_events
                if exposure.source in SOURCES:
                    row[f"{exposure.source}_exposures"] += 1
                for event_type, (exposures_column, events_column) in OUTCOME_COLUMNS.items():
                    events = exposure.outcomes[event_type]
                    row[events_column] += events
                    row[exposures_column] += int(events > 0)
        return [rows[key] for key in sorted(rows)]


def _empty_row(experiment: str, variant: str) -> dict[str, Any]:
    columns = [
        "exposures",
        "shown_events",
        *(f"{source}_exposures" for source in SOURCES),
        *(column for pair in OUTCOME_COLUMNS.values() for column in pair),
    ]
    return {"experiment": experiment, "variant": variant, **dict.fromkeys(columns, 0)}


@dataclass
class RunResult:
    tally: Tally
    requests: RequestCounter
    seconds: float
    interrupted: bool = False


class ShopperRun:
    """One shopper's visit against the API."""

    def __init__(
        self,
        shopper: SimulatedShopper,
        *,
        config: RunConfig,
        catalog: Catalog,
        stack: StackEndpoints,
        tally: Tally,
        counter: RequestCounter,
        on_page: Callable[[], None],
        stopping: threading.Event,
    ) -> None:
        self.shopper = shopper
        self.config = config
        self.tally = tally
        self.on_page = on_page
        self.stopping = stopping
        self.session_id = config.session_id(shopper.shopper_id)
        self.visit = Visit(
            shopper,
            catalog,
            shopper_rng(config.seed, shopper.shopper_id),
            config.pages,
            model=config.model,
            navigation=config.navigation,
        )
        self.http = requests.Session()
        self.accounts = CognitoAccounts(stack.cognito_endpoint, stack.client_id, self.http)
        self.client = ShopperClient(stack.api_url, self._id_token, self.http, counter)
        self._events = 0

    def _id_token(self) -> str:
        tokens = self.accounts.sign_up_or_in(account_email(self.shopper.shopper_id), PASSWORD)
        return self.accounts.emulate(tokens, self.shopper.shopper_id).id_token

    def run(self) -> None:
        error: str | None = None
        try:
            self._visit()
        except CognitoError as failure:
            error = f"sign-in failed: {failure}"
            logger.warning("shopper %s: %s", self.shopper.shopper_id, error)
        finally:
            self.http.close()
            self.tally.shopper(self.shopper.shopper_id, error)

    def _visit(self) -> None:
        pages_done = 0
        try:
            while not self.stopping.is_set() and (page := self.visit.next_page()) is not None:
                answer = self._answer(page)
                self.tally.page(page, answered=answer is not None)
                if answer is not None:
                    self._send(self.visit.on_answer(page, answer))
                pages_done += 1
                self.on_page()
            if not self.stopping.is_set():
                self._send(self.visit.checkout(f"order-{self.config.run_id}-{self.shopper.shopper_id}"))
        finally:
            for _ in range(self.config.pages - pages_done):
                self.on_page()

    def _answer(self, page: Page) -> Answer | None:
        try:
            if page.kind is PageKind.HOME:
                return self.client.recommendations(HOME_RESULTS)
            if page.kind is PageKind.PRODUCT:
                assert page.item_id is not None
                return self.client.related(page.item_id, RELATED_RESULTS, self.session_id)
            return self.client.rank(page.rank_item_ids, "category")
        except (ApiError, ValueError, KeyError, TypeError) as error:
            logger.warning("shopper %s, %s page: %s", self.shopper.shopper_id, page.kind.value, error)
            return None

    def _send(self, actions: list[Action]) -> None:
        if not actions:
            return
        events = []
        for action in actions:
            self._events += 1
            events.append((f"{self.session_id}-{self._events}", action))
        outcome = self.client.post_events(
            self.session_id, [action.as_event(event_id) for event_id, action in events]
        )
        self.tally.sent(events, outcome)


def run_shoppers(
    shoppers: list[SimulatedShopper],
    config: RunConfig,
    catalog: Catalog,
    stack: StackEndpoints,
    on_page: Callable[[], None] = lambda: None,
) -> RunResult:
    """Every shopper's visit, `config.concurrency` at a time; Ctrl-C lets the visits under way end at
    their current page and starts no other."""
    tally, counter, stopping = Tally(), RequestCounter(), threading.Event()
    runs = [
        ShopperRun(
            shopper,
            config=config,
            catalog=catalog,
            stack=stack,
            tally=tally,
            counter=counter,
            on_page=on_page,
            stopping=stopping,
        )
        for shopper in shoppers
    ]
    started = time.monotonic()
    interrupted = False
    executor = ThreadPoolExecutor(max_workers=config.concurrency, thread_name_prefix="shopper")
    try:
        futures = [executor.submit(run.run) for run in runs]
        for future in futures:
            future.result()
    except KeyboardInterrupt:
        interrupted = True
        stopping.set()
        executor.shutdown(wait=True, cancel_futures=True)
    finally:
        executor.shutdown(wait=True)
    return RunResult(tally, counter, time.monotonic() - started, interrupted)
