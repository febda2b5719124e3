"""bench_local_api: the requests it sends are valid API requests, and wrk's script and output."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from bench.bench_local_api import (
    EVENTS_PER_POST,
    RANK_LIST_SIZE,
    REQUESTS_PER_ROUTE,
    lua_string,
    parse_wrk,
    route_loads,
    wrk_script,
)
from personalization.contracts.api import RankRequest
from personalization.contracts.events import TrackEventsRequest
from personalization.contracts.topology import ROUTES

pytestmark = pytest.mark.unit

ITEMS = [f"p{n:05d}" for n in range(1, 61)]

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8000
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    20.51ms   10.02ms 150.12ms   80.00%
  Latency Distribution
     50%   18.20ms
     75%   24.01ms
     90%   31.50ms
     99%    1.20s
  1950 requests in 5.01s, 1.02MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:    389.22
Transfer/sec:    208.50KB
"""


def test_every_use_case_is_loaded_once() -> None:
    loads = route_loads(ITEMS, "token")
    labels = [load.label for load in loads]
    routes = {f"{route.method} {route.path}": route for route in ROUTES}

    assert set(labels) <= set(routes)
    assert sorted(routes[label].function.name for label in labels) == sorted(
        {route.function.name for route in ROUTES}
    )
    assert labels[-1] == "POST /events", "events keep the sinks busy: measured last"
    for load in loads:
        signed_in = routes[load.label].signed_in
        assert (dict(load.headers).get("Authorization") == "token") is signed_in


def test_post_bodies_are_valid_requests_of_their_routes() -> None:
    loads = {load.label: load for load in route_loads(ITEMS)}

    events = [TrackEventsRequest.model_validate_json(r.body or "") for r in loads["POST /events"].requests]
    ranks = [RankRequest.model_validate_json(r.body or "") for r in loads["POST /me/rank"].requests]

    assert len(events) == len(ranks) == REQUESTS_PER_ROUTE
    assert {len(body.events) for body in events} == {EVENTS_PER_POST}
    assert {len(body.itemIds) for body in ranks} == {RANK_LIST_SIZE}
    assert {item for body in ranks for item in body.itemIds} == set(ITEMS)


def test_get_requests_name_catalog_items_and_never_a_user() -> None:
    loads = {load.label: load for load in route_loads(ITEMS)}

    related = [parse_qs(urlsplit(r.path).query) for r in loads["GET /related"].requests]
    recommended = [parse_qs(urlsplit(r.path).query) for r in loads["GET /me/recommendations"].requests]

    assert {query["itemId"][0] for query in related} == set(ITEMS)
    assert all("userId" not in query for query in [*related, *recommended])


def test_lua_long_strings_pick_a_level_the_text_does_not_close() -> None:
    assert lua_string('{"a": 1}') == '[[{"a": 1}]]'
    assert lua_string("x]]y") == "[=[x]]y]=]"
    assert lua_string("]]]=]") == "[==[]]]=]]==]"
    assert lua_string("[[a") == "[=[[[a]=]"


def test_wrk_script_formats_every_request_under_the_base_path() -> None:
    load = route_loads(ITEMS, "id-token")[2]

    script = wrk_script(load, "/prod")

    calls = [line for line in script.splitlines() if "wrk.format(" in line]
    assert len(calls) == REQUESTS_PER_ROUTE
    prefix = "requests[#requests + 1] = wrk.format([[POST]], [[/prod/me/rank]], "
    headers = "{[ [[Content-Type]] ] = [[application/json]], [ [[Authorization]] ] = [[id-token]]}, "
    assert calls[0] == prefix + headers + lua_string(load.requests[0].body or "") + ")"
    assert "request = function()" in script


def test_wrk_output_gives_rate_latencies_and_every_kind_of_error() -> None:
    result = parse_wrk(WRK_OUTPUT, "GET /related", connections=8, seconds=5)

    assert (result.requests, result.rps) == (1950, 389.22)
    assert (result.p50_ms, result.p99_ms) == (18.2, 1200.0)
    assert result.errors == 4 + 1 + 2


def test_wrk_output_without_latency_distribution_is_an_error() -> None:
    with pytest.raises(ValueError, match="no 50% latency"):
        parse_wrk("Running 5s test", "GET /related", connections=8, seconds=5)
