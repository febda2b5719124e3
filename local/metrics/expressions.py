"""CloudWatch metric math for GetMetricData, as far as the stack's dashboard and alarms use it.

Supported: numbers; the ids of other queries (MetricStat or Expression, evaluated on demand, in
any order); `+ - * /` with the usual precedence, unary minus and parentheses; `FILL(x, value)`
(every period of the requested range without a point gets `value`); `SUM`, `AVG`, `MIN`, `MAX`
of an array of series; and `SEARCH('{Namespace,dim,...} terms', 'Stat', period)`, whose schema
selects the metrics of that namespace with exactly those dimension names and whose terms are
`Name="value"`, `Name=("a" OR "b")` (Name being `MetricName` or a dimension) and bare words
(a partial match of the metric name or a dimension value), all of which must hold.

Between two series an operator keeps the periods both have (FILL supplies the missing ones), a
division by zero leaves no point, and an array (SEARCH) combines element by element with a
series or a number, each result keeping its label.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from local.metrics.store import MetricQueryError, MetricStore, Series, TimeSeries

Value = float | TimeSeries | list[TimeSeries]

TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<string>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<op>[-+*/(),]))"
)
OPERATORS: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}
MAX_DEPTH = 50


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokenize(expression: str) -> list[Token]:
    tokens = []
    position = 0
    expression = expression.rstrip()
    while position < len(expression):
        match = TOKEN.match(expression, position)
        if match is None or match.end() == position:
            raise MetricQueryError(f"Syntax error in expression at {expression[position:]!r}")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind)))
        position = match.end()
    return tokens


class Evaluator:
    """Evaluates the queries of one GetMetricData request over [start, end)."""

    def __init__(
        self, store: MetricStore, queries: Mapping[str, Mapping[str, Any]], start: int, end: int
    ) -> None:
        self.store = store
        self.queries = queries
        self.start = start
        self.end = end
        self._values: dict[str, Value] = {}
        self._evaluating: set[str] = set()

    def results(self, query_id: str) -> list[TimeSeries]:
        """The series a query returns (an array for SEARCH; none for a plain number)."""
        value = self.value(query_id)
        if isinstance(value, TimeSeries):
            return [value]
        if isinstance(value, list):
            return value
        return []

    def value(self, query_id: str) -> Value:
        if query_id in self._values:
            return self._values[query_id]
        query = self.queries.get(query_id)
        if query is None:
            raise MetricQueryError(f"Unknown id {query_id!r} in an expression")
        if query_id in self._evaluating:
            raise MetricQueryError(f"The expression {query_id!r} refers to itself")
        self._evaluating.add(query_id)
        try:
            label = query.get("Label")
            if "MetricStat" in query:
                value: Value = self.store.metric_stat(query["MetricStat"], self.start, self.end, label)
            elif "Expression" in query:
                value = _Parser(self, tokenize(str(query["Expression"])), query.get("Period")).parse()
                value = _relabel(value, label, query_id)
            else:
                raise MetricQueryError(f"The query {query_id!r} has neither MetricStat nor Expression")
        finally:
            self._evaluating.discard(query_id)
        self._values[query_id] = value
        return value

    def timeline(self, period: int) -> range:
        return range(self.start - self.start % period, self.end, period)

    def search(self, text: str, stat: str, period: int) -> list[TimeSeries]:
        namespace, keys, terms = parse_search(text)
        found = []
        for series in sorted(self.store.matching(namespace, keys), key=lambda s: (s.name, s.dimensions)):
            if all(term(series) for term in terms):
                label = " ".join([*(value for _, value in series.dimensions), series.name])
                found.append(
                    self.store.series_stat(
                        series, stat, start=self.start, end=self.end, period=period, label=label
                    )
                )
        return found


def _relabel(value: Value, label: str | None, query_id: str) -> Value:
    if isinstance(value, TimeSeries):
        return TimeSeries(label or query_id, value.points, value.period)
    if isinstance(value, list) and label:
        return [TimeSeries(f"{label} {series.label}", series.points, series.period) for series in value]
    return value


class _Parser:
    """Recursive descent: sum := product (('+'|'-') product)*; product := unary (('*'|'/') unary)*."""

    def __init__(self, evaluator: Evaluator, tokens: list[Token], period: Any) -> None:
        self.evaluator = evaluator
        self.tokens = tokens
        self.position = 0
        self.period = int(period) if period else None
        self.depth = 0

    def parse(self) -> Value:
        value = self._sum()
        if self.position != len(self.tokens):
            raise MetricQueryError(f"Syntax error in expression near {self.tokens[self.position].text!r}")
        return value

    def _peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, text: str | None = None) -> Token:
        token = self._peek()
        if token is None or (text is not None and token.text != text):
            raise MetricQueryError(f"Syntax error in expression: expected {text or 'more'}")
        self.position += 1
        return token

    def _sum(self) -> Value:
        value = self._product()
        while (token := self._peek()) is not None and token.text in "+-" and token.kind == "op":
            self._take()
            value = combine(OPERATORS[token.text], value, self._product())
        return value

    def _product(self) -> Value:
        value = self._unary()
        while (token := self._peek()) is not None and token.text in "*/" and token.kind == "op":
            self._take()
            value = combine(OPERATORS[token.text], value, self._unary())
        return value

    def _unary(self) -> Value:
        token = self._peek()
        if token is not None and token.kind == "op" and token.text in "+-":
            self._take()
            value = self._unary()
            return combine(operator.mul, -1.0 if token.text == "-" else 1.0, value)
        return self._atom()

    def _atom(self) -> Value:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise MetricQueryError("The expression is nested too deep")
        try:
            token = self._take()
            if token.kind == "number":
                return float(token.text)
            if token.text == "(":
                value = self._sum()
                self._take(")")
                return value
            if token.kind == "name":
                nxt = self._peek()
                if nxt is not None and nxt.text == "(":
                    return self._call(token.text.upper())
                return self.evaluator.value(token.text)
            raise MetricQueryError(f"Syntax error in expression near {token.text!r}")
        finally:
            self.depth -= 1

    def _arguments(self) -> list[Token | Value]:
        self._take("(")
        arguments: list[Token | Value] = []
        while True:
            token = self._peek()
            if token is not None and token.kind == "string":
                arguments.append(self._take())
            else:
                arguments.append(self._sum())
            if self._take().text == ")":
                return arguments

    def _call(self, function: str) -> Value:
        arguments = self._arguments()
        if function == "SEARCH":
            return self._search(arguments)
        if function == "FILL":
            if len(arguments) != 2:
                raise MetricQueryError("FILL takes a series and a value")
            filler = arguments[1]
            if not isinstance(filler, float):
                raise MetricQueryError("FILL's second argument must be a number")
            return fill(_value(arguments[0]), filler, self.evaluator)
        reducers: dict[str, Callable[[list[float]], float]] = {
            "SUM": math.fsum,
            "AVG": lambda values: math.fsum(values) / len(values),
            "MIN": min,
            "MAX": max,
        }
        if function in reducers and len(arguments) == 1:
            return reduce_series(_value(arguments[0]), reducers[function], function)
        raise MetricQueryError(f"The function {function} is not supported by the local CloudWatch")

    def _search(self, arguments: list[Token | Value]) -> list[TimeSeries]:
        if len(arguments) not in (2, 3) or not all(isinstance(a, Token) for a in arguments[:2]):
            raise MetricQueryError("SEARCH takes a search expression, a statistic and a period")
        text, stat = (_unquote(token.text) for token in arguments[:2] if isinstance(token, Token))
        period = arguments[2] if len(arguments) == 3 else self.period
        if not isinstance(period, float | int):
            raise MetricQueryError("SEARCH needs a period")
        return self.evaluator.search(text, stat, int(period))


def _value(argument: Token | Value) -> Value:
    if isinstance(argument, Token):
        raise MetricQueryError(f"A string is not a metric: {argument.text}")
    return argument


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def combine(function: Callable[[float, float], float], left: Value, right: Value) -> Value:
    if isinstance(left, list) and isinstance(right, list):
        raise MetricQueryError("Two arrays of series cannot be combined")
    if isinstance(left, list):
        return [_series_of(combine(function, series, right), series.label) for series in left]
    if isinstance(right, list):
        return [_series_of(combine(function, left, series), series.label) for series in right]
    if isinstance(left, float) and isinstance(right, float):
        result = _apply(function, left, right)
        return math.nan if result is None else result
    if isinstance(left, TimeSeries) and isinstance(right, TimeSeries):
        moments = left.points.keys() & right.points.keys()
        points = {m: _apply(function, left.points[m], right.points[m]) for m in moments}
        return TimeSeries(left.label, _defined(points), left.period)
    if isinstance(left, TimeSeries) and isinstance(right, float):
        return TimeSeries(
            left.label, _defined({m: _apply(function, v, right) for m, v in left.points.items()}), left.period
        )
    assert isinstance(right, TimeSeries)
    assert isinstance(left, float)
    return TimeSeries(
        right.label, _defined({m: _apply(function, left, v) for m, v in right.points.items()}), right.period
    )


def _series_of(value: Value, label: str) -> TimeSeries:
    assert isinstance(value, TimeSeries)
    return TimeSeries(label, value.points, value.period)


def _apply(function: Callable[[float, float], float], left: float, right: float) -> float | None:
    try:
        result = function(left, right)
    except ZeroDivisionError:
        return None
    return result if math.isfinite(result) else None


def _defined(points: Mapping[int, float | None]) -> dict[int, float]:
    return {moment: value for moment, value in points.items() if value is not None}


def fill(value: Value, filler: float, evaluator: Evaluator) -> Value:
    if isinstance(value, list):
        return [_series_of(fill(series, filler, evaluator), series.label) for series in value]
    if not isinstance(value, TimeSeries):
        return value
    points = {moment: value.points.get(moment, filler) for moment in evaluator.timeline(value.period)}
    return TimeSeries(value.label, points, value.period)


def reduce_series(value: Value, reducer: Callable[[list[float]], float], name: str) -> Value:
    if isinstance(value, TimeSeries | float):
        return value
    moments = sorted({moment for series in value for moment in series.points})
    points = {m: reducer([s.points[m] for s in value if m in s.points]) for m in moments}
    period = value[0].period if value else 60
    return TimeSeries(name, points, period)


SCHEMA = re.compile(r"^\s*\{(?P<schema>[^}]*)\}\s*(?P<terms>.*)$", re.DOTALL)
TERM = re.compile(
    r"\s*(?:(?P<key>[A-Za-z0-9_.:/-]+|\"[^\"]*\")\s*=\s*(?:\((?P<choices>[^)]*)\)|(?P<value>\"[^\"]*\"|[^\s()]+))"
    r"|(?P<word>\"[^\"]*\"|[^\s()=]+))"
)


def parse_search(text: str) -> tuple[str, frozenset[str], list[Callable[[Series], bool]]]:
    """A SEARCH's schema (namespace, dimension names) and its terms, each a test of a metric."""
    match = SCHEMA.match(text)
    if match is None:
        raise MetricQueryError(
            "The local CloudWatch answers SEARCH with a {namespace,dimensions} schema only"
        )
    names = [_plain(name) for name in _split_schema(match.group("schema"))]
    if not names or not names[0]:
        raise MetricQueryError("A SEARCH schema names a namespace")
    terms: list[Callable[[Series], bool]] = []
    rest = match.group("terms").strip()
    position = 0
    while position < len(rest):
        term = TERM.match(rest, position)
        if term is None or term.end() == position:
            raise MetricQueryError(f"The local CloudWatch cannot read the SEARCH terms {rest[position:]!r}")
        position = term.end()
        if term.group("word") is not None:
            word = _plain(term.group("word"))
            if word.upper() == "AND":
                continue
            terms.append(_partial_match(word))
            continue
        key = _plain(term.group("key"))
        if term.group("choices") is not None:
            choices = {_plain(choice) for choice in re.split(r"\s+OR\s+", term.group("choices").strip())}
        else:
            choices = {_plain(term.group("value"))}
        terms.append(_exact_match(key, frozenset(choices)))
    return names[0], frozenset(names[1:]), terms


def _partial_match(word: str) -> Callable[[Series], bool]:
    def test(series: Series) -> bool:
        return word in series.name or any(word in value for _, value in series.dimensions)

    return test


def _exact_match(key: str, choices: frozenset[str]) -> Callable[[Series], bool]:
    def test(series: Series) -> bool:
        return _field(series, key) in choices

    return test


def _field(series: Series, key: str) -> str | None:
    if key == "MetricName":
        return series.name
    return dict(series.dimensions).get(key)


def _split_schema(schema: str) -> list[str]:
    return [part.strip() for part in re.findall(r'"[^"]*"|[^,]+', schema)]


def _plain(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text
