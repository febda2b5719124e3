"""What the local metrics' unit tests share."""

from __future__ import annotations

from typing import Any

from local.metrics.emf import MetricDatum
from local.metrics.publisher import MetricsPublisher


class Captured(MetricsPublisher):
    """A publisher that keeps what it is given instead of sending it."""

    def __init__(self) -> None:
        super().__init__(lambda namespace, data: None)
        self.datums: list[MetricDatum] = []

    def submit(self, datums: Any) -> int:
        self.datums += list(datums)
        return 0

    def values(self, namespace: str, name: str, dimensions: tuple[tuple[str, str], ...]) -> list[float]:
        return [
            value
            for d in self.datums
            if (d.namespace, d.name, d.dimensions) == (namespace, name, dimensions)
            for value in d.values
        ]

    def names(self, namespace: str) -> set[str]:
        return {d.name for d in self.datums if d.namespace == namespace}
