"""A stand-in for the local stack, for the browser tests: the storefront served as static files with a
generated config.json and a small generated dataset, a fake personalization API that records every call,
and the twin's user pool (moto's Cognito in this process, `local.cognito`) the storefront signs in with.

The fake API answers like docs/architecture.md §4 (CORS included, since the storefront and the API are on
different origins) with simple, predictable personalization: recommendations come from the categories
the shopper viewed last, then from the persona's categories; ranking puts the persona's categories first.
Every answer carries a `recommendationId` ("rec-..." as Personalize's, "api-..." minted for the others) and
its `experiment`: `run_experiment` puts every shopper the API would enrol in a use case (a signed-in one;
for related items also an anonymous one that sends its `sessionId`) in one variant. Posted events are
checked against the API's own event contract (a 400 as the API's, with the problems).
Its /me/* routes check the ID token as the local gateway does (`local.authorizer`): 401 without a valid
one; the shopper is the token's `custom:shopper_id`, else its `sub`. A `userId` anywhere is a 400.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import ValidationError

from local.authorizer import CognitoAuthorizer, UnauthorizedError
from personalization.contracts.api import mint_recommendation_id
from personalization.contracts.events import TrackEventsRequest

REPO_ROOT = Path(__file__).resolve().parents[2]
STOREFRONT_DIR = REPO_ROOT / "storefront"

DATASET_SIZE = ("--users", "40", "--items", "120", "--interactions", "1000", "--seed", "7")
"""Small enough to generate in well under a second; 15 items per category fit one page of a category view."""


@dataclass(frozen=True)
class ShopData:
    """The dataset files as the storefront reads them (DATASET formats: catalog, users, featured)."""

    catalog: dict[str, Any]
    users: list[dict[str, Any]]
    featured: dict[str, list[str]]

    @property
    def items(self) -> list[dict[str, Any]]:
        return list(self.catalog["items"])

    def item(self, item_id: str) -> dict[str, Any]:
        return next(item for item in self.catalog["items"] if item["id"] == item_id)

    def items_in(self, category: str) -> list[dict[str, Any]]:
        return [item for item in self.catalog["items"] if item["category"] == category]

    def user_with_persona(self, persona: str) -> dict[str, Any]:
        return next(user for user in self.users if user["persona"] == persona)

    @classmethod
    def load(cls, directory: Path) -> ShopData:
        def read(name: str) -> Any:
            return json.loads((directory / f"{name}.json").read_text())

        return cls(read("catalog"), read("users"), read("featured"))


def generate_dataset(directory: Path) -> ShopData:
    """A small dataset from the project's generator (`python -m dataset generate`, the files' contract)."""
    subprocess.run(
        [sys.executable, "-m", "dataset", "generate", "--out", str(directory), *DATASET_SIZE],
        check=True,
        cwd=REPO_ROOT,
        capture_output=True,
    )
    return ShopData.load(directory)


@dataclass(frozen=True)
class ApiCall:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    content_type: str
    shopper: str | None = None
    """The shopper the token named (a /me route), None for an anonymous call."""
    answer: Any = None
    """The body the fake answered with."""

    @property
    def signed_in(self) -> bool:
        return self.path.startswith("/me/")


@dataclass(frozen=True)
class FakeExperiment:
    """The one variant every enrolled shopper of a use case gets; a holdout answers without
    personalization (featured items, or the input order for ranking)."""

    name: str
    variant: str
    holdout: bool = False

    @property
    def ref(self) -> dict[str, str]:
        return {"name": self.name, "variant": self.variant}


@dataclass
class _ApiState:
    calls: list[ApiCall] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    outage_status: int | None = None
    delay_seconds: float = 0.0
    failing_event_posts: int = 0
    experiments: dict[str, FakeExperiment] = field(default_factory=dict)


class FakeApi:
    """The API of docs/architecture.md §4 with a recorder; `outage`, `slow`, `fail_event_posts` inject
    faults."""

    def __init__(self, data: ShopData, authorizer: CognitoAuthorizer | None = None) -> None:
        self.data = data
        self.authorizer = authorizer
        self._lock = threading.Lock()
        self._state = _ApiState()
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self._state = _ApiState()

    def calls(self, path: str | None = None) -> list[ApiCall]:
        """The calls of a use case: `calls("/rank")` holds POST /rank and POST /me/rank."""
        with self._lock:
            return [call for call in self._state.calls if path is None or call.path in (path, f"/me{path}")]

    def events(self) -> list[dict[str, Any]]:
        """Accepted events, each with the batch's sessionId and userId (null when anonymous)."""
        with self._lock:
            return list(self._state.events)

    @contextmanager
    def outage(self, status: int = HTTPStatus.SERVICE_UNAVAILABLE) -> Iterator[None]:
        with self._lock:
            self._state.outage_status = status
        try:
            yield
        finally:
            with self._lock:
                self._state.outage_status = None

    @contextmanager
    def slow(self, seconds: float) -> Iterator[None]:
        """Every API answer waits `seconds` first (released at once when the server stops)."""
        with self._lock:
            self._state.delay_seconds = seconds
        try:
            yield
        finally:
            with self._lock:
                self._state.delay_seconds = 0.0

    def run_experiment(self, use_case: str, name: str, variant: str, *, holdout: bool = False) -> None:
        """Until the next `reset`: the shoppers enrolled in `use_case` (a recipe name) are in `variant`."""
        with self._lock:
            self._state.experiments[use_case] = FakeExperiment(name, variant, holdout)

    def _enrolment(self, use_case: str, subject: str | None) -> FakeExperiment | None:
        with self._lock:
            experiment = self._state.experiments.get(use_case)
        return experiment if subject else None

    def fail_event_posts(self, count: int) -> None:
        """The next `count` POST /events answer 503, as when the bus rejects entries."""
        with self._lock:
            self._state.failing_event_posts = count

    # The API's behaviour.

    def shopper(self, path: str, authorization: str | None) -> str | None:
        """The token's shopper on a /me route (UnauthorizedError without a valid token)."""
        if not path.startswith("/me/"):
            return None
        if self.authorizer is None:
            raise UnauthorizedError("no user pool")
        claims = self.authorizer.claims(authorization)
        return claims.get("custom:shopper_id") or claims["sub"]

    def answer(
        self, method: str, path: str, query: dict[str, str], body: Any, shopper: str | None = None
    ) -> tuple[int, Any]:
        with self._lock:
            outage, delay = self._state.outage_status, self._state.delay_seconds
        if delay:
            self._release.wait(delay)
        if outage:
            return outage, {"message": "service unavailable", "errors": []}
        if "userId" in query or (isinstance(body, dict) and "userId" in body):
            return HTTPStatus.BAD_REQUEST, {
                "message": "userId is not accepted",
                "errors": [{"field": "userId"}],
            }
        path = path.removeprefix("/me")
        routes: dict[tuple[str, str], Callable[[dict[str, str], Any, str | None], tuple[int, Any]]] = {
            ("GET", "/recommendations"): self._recommendations,
            ("GET", "/related"): self._related,
            ("POST", "/rank"): self._rank,
            ("POST", "/events"): self._events,
        }
        route = routes.get((method, path))
        if route is None:
            return HTTPStatus.NOT_FOUND, {"message": f"no route {method} {path}", "errors": []}
        return route(query, body, shopper)

    def _recommendations(self, query: dict[str, str], _body: Any, user_id: str | None) -> tuple[int, Any]:
        count = int(query.get("numResults", "25"))
        recipe = "user-personalization"
        featured = self.data.featured["itemIds"][:count]
        experiment = self._enrolment(recipe, user_id)
        if not user_id or (experiment and experiment.holdout):
            return HTTPStatus.OK, self._answer(featured, recipe, "featured", experiment)
        user = next(user for user in self.data.users if user["id"] == user_id)
        categories = list(dict.fromkeys([*self._recently_viewed_categories(user_id), *user["categories"]]))
        pools = [self.data.items_in(category) for category in categories]
        mixed = [pool[index] for index in range(max(map(len, pools))) for pool in pools if index < len(pool)]
        recommended = [item["id"] for item in mixed[:count]]
        return HTTPStatus.OK, self._answer(recommended, recipe, experiment=experiment)

    def _recently_viewed_categories(self, user_id: str) -> list[str]:
        with self._lock:
            viewed = [
                event["itemId"]
                for event in self._state.events
                if event["userId"] == user_id and event["eventType"] == "ProductViewed"
            ]
        return list(dict.fromkeys(self.data.item(item_id)["category"] for item_id in reversed(viewed[-5:])))

    def _related(self, query: dict[str, str], _body: Any, user_id: str | None) -> tuple[int, Any]:
        item = self.data.item(query["itemId"])
        count = int(query.get("numResults", "25"))
        recipe = "related-items"
        experiment = self._enrolment(recipe, user_id or query.get("sessionId"))
        if experiment and experiment.holdout:
            featured = [item_id for item_id in self.data.featured["itemIds"] if item_id != item["id"]]
            return HTTPStatus.OK, self._answer(featured[:count], recipe, "featured", experiment)
        same_style = [
            other for other in self.data.items_in(item["category"]) if other["style"] == item["style"]
        ]
        same_category = [other for other in self.data.items_in(item["category"]) if other not in same_style]
        related = [other["id"] for other in [*same_style, *same_category] if other["id"] != item["id"]]
        return HTTPStatus.OK, self._answer(related[:count], recipe, experiment=experiment)

    def _rank(self, _query: dict[str, str], body: Any, user_id: str | None) -> tuple[int, Any]:
        item_ids = body["itemIds"]
        recipe = "personalized-ranking"
        experiment = self._enrolment(recipe, user_id)
        if not user_id or (experiment and experiment.holdout):
            return HTTPStatus.OK, self._answer(item_ids, recipe, "natural", experiment)
        user = next(user for user in self.data.users if user["id"] == user_id)

        def preference(item_id: str) -> tuple[bool, str]:
            outside_persona = self.data.item(item_id)["category"] not in user["categories"]
            return outside_persona, hashlib.sha256(f"{user_id}:{item_id}".encode()).hexdigest()

        return HTTPStatus.OK, self._answer(sorted(item_ids, key=preference), recipe, experiment=experiment)

    def _events(self, _query: dict[str, str], body: Any, user_id: str | None) -> tuple[int, Any]:
        try:
            TrackEventsRequest.model_validate(body)
        except ValidationError as error:
            problems = [
                {"field": ".".join(map(str, problem["loc"])), "problem": problem["msg"]}
                for problem in error.errors()
            ]
            return HTTPStatus.BAD_REQUEST, {"message": "the events are not valid", "errors": problems}
        with self._lock:
            if self._state.failing_event_posts > 0:
                self._state.failing_event_posts -= 1
                return HTTPStatus.SERVICE_UNAVAILABLE, {"message": "events were not accepted", "errors": []}
            events = [
                {**event, "sessionId": body["sessionId"], "userId": user_id} for event in body["events"]
            ]
            self._state.events.extend(events)
        return HTTPStatus.ACCEPTED, {
            "accepted": len(events),
            "eventIds": [event["eventId"] for event in events],
        }

    @staticmethod
    def _answer(
        item_ids: list[str],
        recipe: str,
        source: str = "personalize",
        experiment: FakeExperiment | None = None,
    ) -> dict[str, Any]:
        items = [
            {"itemId": item_id, "score": round(1 / (rank + 2), 4)} for rank, item_id in enumerate(item_ids)
        ]
        recommendation_id = f"rec-{uuid.uuid4()}" if source == "personalize" else mint_recommendation_id()
        return {
            "items": items,
            "recommendationId": recommendation_id,
            "source": source,
            "recipe": recipe,
            "experiment": experiment.ref if experiment else None,
        }

    def _record(self, call: ApiCall) -> None:
        with self._lock:
            self._state.calls.append(call)

    def _handler_class(self) -> type[SimpleHTTPRequestHandler]:
        api = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the recorder keeps what the tests need."""

            def _cors(self) -> None:
                self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
                self.send_header("Access-Control-Allow-Methods", "GET,POST,OPTIONS")
                self.send_header("Access-Control-Allow-Headers", "Content-Type,Authorization")
                self.send_header("Access-Control-Max-Age", "600")

            def do_OPTIONS(self) -> None:
                self.send_response(HTTPStatus.NO_CONTENT)
                self._cors()
                self.end_headers()

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                url = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                content_type = self.headers.get("Content-Type", "")
                status: int  # HTTPStatus.UNAUTHORIZED, or the int a route answers
                try:
                    shopper = api.shopper(url.path, self.headers.get("Authorization"))
                except UnauthorizedError:
                    status, answer, shopper = HTTPStatus.UNAUTHORIZED, {"message": "Unauthorized"}, None
                else:
                    status, answer = api.answer(method, url.path, query, body, shopper)
                api._record(
                    ApiCall(method, url.path, query, body, int(status), content_type, shopper, answer)
                )
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self._cors()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler


class StaticSite:
    """The storefront files, `config.json` (absent when `config` is None) and the dataset under data/."""

    def __init__(self, data_dir: Path, config: dict[str, Any] | None) -> None:
        self.data_dir = data_dir
        self.config = config
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> StaticSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[SimpleHTTPRequestHandler]:
        site = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(STOREFRONT_DIR), **kwargs)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: static files are not what the tests look at."""

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path == "/config.json":
                    self._send_json(site.config)
                elif path.startswith("/data/"):
                    file = site.data_dir / path.removeprefix("/data/")
                    self._send_json(json.loads(file.read_text()) if file.is_file() else None)
                else:
                    super().do_GET()

            def _send_json(self, content: Any) -> None:
                if content is None:
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                payload = json.dumps(content).encode()
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler
