"""Hypothesis strategies for API Gateway proxy events: valid requests of each route and hostile ones
(recursive JSON of wrong types, huge and non-finite numbers, odd Unicode with lone surrogates, deep
nesting, broken JSON, bytes that are not UTF-8, odd query strings, headers and content types)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from personalization.contracts.events import EVENT_TYPES, RECOMMENDATIONS_SHOWN
from personalization.contracts.limits import MAX_BODY_BYTES, MAX_EVENT_AGE, MAX_FUTURE_SKEW, MAX_SAFE_INTEGER
from tests.apigw import rest_event

ORIGIN = "http://127.0.0.1:8080"

# Valid values.
identifiers = st.text("abcXYZ019_.:@-", min_size=1, max_size=24)
names = st.text("abcXYZ019_-", min_size=1, max_size=40)
"""Experiment and variant names."""
property_keys = st.from_regex(r"\A[A-Za-z][A-Za-z0-9_]{0,20}\Z")
property_values = (
    st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.floats(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER, allow_nan=False)
    | st.text(max_size=30)
)


@st.composite
def sent_at(draw: st.DrawFn) -> str:
    """A moment within the window the API takes, 2 minutes inside each edge, in some timezone."""
    margin = timedelta(minutes=2)
    offset = draw(st.timedeltas(-MAX_EVENT_AGE + margin, MAX_FUTURE_SKEW - margin))
    zone = timezone(timedelta(minutes=draw(st.integers(-12 * 60, 14 * 60))))
    return (datetime.now(UTC) + offset).astimezone(zone).isoformat()


@st.composite
def tracked_event(draw: st.DrawFn) -> dict[str, Any]:
    event: dict[str, Any] = {"eventType": draw(st.sampled_from(EVENT_TYPES))}
    optional = {
        "itemId": identifiers,
        "sentAt": sent_at(),
        "recommendationId": st.text("abc019-", min_size=1, max_size=40),
        "properties": st.dictionaries(property_keys, property_values, max_size=5),
    }
    for name, values in optional.items():
        if draw(st.booleans()):
            event[name] = draw(values)
    if "recommendationId" in event and draw(st.booleans()):
        event["experiment"] = {"name": draw(names), "variant": draw(names)}
    if event["eventType"] == RECOMMENDATIONS_SHOWN:
        # An exposure is of an answer: its id, and no item.
        event.pop("itemId", None)
        event.setdefault("recommendationId", draw(st.text("abc019-", min_size=1, max_size=40)))
    return event


@st.composite
def events_body(draw: st.DrawFn) -> dict[str, Any]:
    events = draw(st.lists(tracked_event(), min_size=1, max_size=25))
    for index, event in enumerate(events):
        if draw(st.booleans()):
            event["eventId"] = f"{draw(identifiers)}-{index}"
    return {"sessionId": draw(identifiers), "events": events}


@st.composite
def rank_body(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"itemIds": draw(st.lists(identifiers, min_size=1, max_size=60, unique=True))}
    if draw(st.booleans()):
        body["context"] = draw(st.sampled_from(["category", "search"]))
    return body


@st.composite
def recommendations_query(draw: st.DrawFn) -> dict[str, str]:
    query = {}
    if draw(st.booleans()):
        query["numResults"] = str(draw(st.integers(1, 100)))
    name = draw(st.sampled_from([None, "exclude-purchased", "include-category"]))
    if name:
        query["filter"] = name
    if name == "include-category":
        query["filterValue"] = draw(st.text("abcXYZ019_ -", min_size=1, max_size=40))
    return query


@st.composite
def related_query(draw: st.DrawFn) -> dict[str, str]:
    query = {"itemId": draw(identifiers)}
    if draw(st.booleans()):
        query["numResults"] = str(draw(st.integers(1, 100)))
    return query


# Hostile values.
odd_characters = (
    st.characters()
    | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
    | st.sampled_from('\x00\t\n\u202e\u2028\ufeff\uffff\U0010ffff"\\{[')
)
odd_text = st.text(odd_characters, max_size=40)
huge_integers = st.integers(-(10**450), 10**450) | st.sampled_from([2**53 + 1, -(2**53) - 1, 2**64, 10**400])
odd_numbers = huge_integers | st.floats() | st.sampled_from([1e308, -0.0, 5e-324, float("inf")])
json_scalars = st.none() | st.booleans() | odd_numbers | odd_text | st.integers()
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(odd_text, children, max_size=4),
    max_leaves=12,
)


deep_json = st.builds(
    lambda n, opener: opener * n + {"[": "]", '{"a":': "}"}[opener] * n,
    st.integers(20, 3000),
    st.sampled_from(["[", '{"a":']),
)


def dumps(value: Any, ascii_only: bool) -> str:
    """JSON text of `value`: NaN and Infinity as Python spells them, lone surrogates raw or escaped."""
    return json.dumps(value, ensure_ascii=ascii_only)


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy[dict[str, Any]]) -> Any:
    """A valid body with one part broken: a value replaced, a key dropped or added, or nested deep."""
    body = draw(valid)
    path: list[Any] = []
    node: Any = body
    while isinstance(node, dict | list) and node and draw(st.booleans()):
        key = (
            draw(st.sampled_from(list(node)))
            if isinstance(node, dict)
            else draw(st.integers(0, len(node) - 1))
        )
        path.append(key)
        node = node[key]
    parent: Any = body
    for key in path[:-1]:
        parent = parent[key]
    action = draw(st.sampled_from(["replace", "drop", "add", "wrap"]))
    if not path:
        path, parent = [draw(odd_text)], body
        action = draw(st.sampled_from(["replace", "add"]))
    key = path[-1]
    if action == "replace":
        parent[key] = draw(json_values)
    elif action == "drop":
        del parent[key]
    elif action == "add" and isinstance(parent, dict):
        parent[draw(odd_text)] = draw(json_values)
    elif action == "add":
        parent.append(draw(json_values))
    else:
        parent[key] = [[[parent[key]]]]
    return body


@st.composite
def body_text(draw: st.DrawFn, valid: st.SearchStrategy[dict[str, Any]]) -> str:
    """Text of a valid body (more often) or of a hostile one."""
    kind = draw(st.sampled_from(["valid", "mutated", "any", "deep", "huge", "broken"]))
    if kind == "valid":
        return json.dumps(draw(valid))
    if kind == "mutated":
        return dumps(draw(mutated(valid)), draw(st.booleans()))
    if kind == "any":
        return dumps(draw(json_values), draw(st.booleans()))
    if kind == "deep":
        return '{"events": ' + draw(deep_json) + ', "itemIds": ["a"], "sessionId": "s"}'
    text = json.dumps(draw(valid))
    if kind == "huge":
        return text[:-1] + " " * draw(st.integers(MAX_BODY_BYTES - len(text), MAX_BODY_BYTES * 2)) + "}"
    cut = draw(st.integers(0, len(text)))
    return text[:cut] + draw(odd_text) + text[cut + draw(st.integers(0, 3)) :]


content_types = (
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "APPLICATION/JSON",
            "text/plain;charset=UTF-8",
            "text/plain",
            "application/xml",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "application/json-patch+json",
            "",
        ]
    )
    | odd_text
)
header_names = st.text("abcdefghijklmnopqrstuvwxyzABCXYZ-_0123456789", min_size=1, max_size=20)


@st.composite
def headers(draw: st.DrawFn, content_type: st.SearchStrategy[str] | None = None) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {
        "Origin": [draw(st.sampled_from([ORIGIN, "https://elsewhere.example", ""]))]
    }
    if draw(st.booleans()):
        values["Content-Type"] = [draw(content_types if content_type is None else content_type)]
    for name, value in draw(
        st.dictionaries(header_names, st.lists(odd_text, min_size=1, max_size=2), max_size=3)
    ).items():
        values.setdefault(name, value)
    return values


odd_query = st.dictionaries(
    st.sampled_from(["userId", "numResults", "filter", "filterValue", "itemId"]) | odd_text,
    st.lists(
        odd_text
        | huge_integers.map(str)
        | st.sampled_from(["0", "-1", "101", "1e3", "0x10", " 5", "NaN", "include-category", ""]),
        min_size=1,
        max_size=3,
    ),
    max_size=5,
)


def proxy_event(
    method: str,
    path: str,
    header_values: dict[str, list[str]],
    query: dict[str, list[str]] | None = None,
    body: str | None = None,
    base64_body: bytes | None = None,
) -> dict[str, Any]:
    """A REST proxy event with multi-value headers and query strings (the last value is the single one).
    A /me path is signed in: the authorizer's claims of an account are in the request context."""
    event = rest_event(method, path, raw_body=body, shopper="0b7d6c1e" if path.startswith("/me/") else None)
    event["headers"] = {name: values[-1] for name, values in header_values.items()}
    event["multiValueHeaders"] = header_values
    event["queryStringParameters"] = {name: values[-1] for name, values in query.items()} if query else None
    event["multiValueQueryStringParameters"] = query or None
    if base64_body is not None:
        event.update(body=base64.b64encode(base64_body).decode(), isBase64Encoded=True)
    return event


def single(query: dict[str, str]) -> dict[str, list[str]]:
    return {name: [value] for name, value in query.items()}


def get_requests(path: str, valid: st.SearchStrategy[dict[str, str]]) -> st.SearchStrategy[dict[str, Any]]:
    """GET events: a valid query (half of them) or an odd one, with any headers, sometimes a body."""
    queries = valid.map(single) | odd_query | st.builds(lambda v, o: {**single(v), **o}, valid, odd_query)
    return st.builds(
        lambda q, h, b: proxy_event("GET", path, h, q, body=b),
        st.one_of(valid.map(single), queries),
        headers(),
        st.none() | odd_text,
    )


def post_requests(path: str, valid: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """POST events: JSON bodies valid or hostile, with JSON or other content types, or raw bytes."""
    json_headers = headers(st.sampled_from(["application/json", "text/plain;charset=UTF-8"]))
    text_bodies = st.builds(lambda b, h: proxy_event("POST", path, h, body=b), body_text(valid), json_headers)
    any_headers = st.builds(lambda b, h: proxy_event("POST", path, h, body=b), body_text(valid), headers())
    raw_bytes = st.builds(
        lambda b, h: proxy_event("POST", path, h, base64_body=b),
        st.binary(max_size=200) | st.text().map(lambda t: t.encode("utf-16")),
        json_headers,
    )
    return st.one_of(text_bodies, text_bodies, any_headers, raw_bytes)
