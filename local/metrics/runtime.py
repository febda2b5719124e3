"""The twin's metrics, started and stopped with the stack (`local.stack`)."""

from __future__ import annotations

from typing import Any

import boto3

from local.metrics.figures import BusSampler, LocalMetrics, bus_stats
from local.metrics.moto_backend import install_metric_store
from local.metrics.publisher import MetricsPublisher, cloudwatch_put


class MetricsRuntime:
    """The publisher (to the moto server's CloudWatch) and the sampler of the local bus (queues, rules)."""

    def __init__(self, moto_url: str, bus_url: str, region: str, credentials: dict[str, str]) -> None:
        install_metric_store()
        clients: list[Any] = []

        def put(namespace: str, metric_data: list[dict[str, Any]]) -> None:
            """PutMetricData; the client is made in the flusher thread, at its first call, not at start."""
            if not clients:
                clients.append(
                    boto3.client(
                        "cloudwatch",
                        endpoint_url=moto_url,
                        region_name=region,
                        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
                    )
                )
            cloudwatch_put(clients[0])(namespace, metric_data)

        self.publisher = MetricsPublisher(put)
        self.metrics = LocalMetrics(self.publisher)
        self.sampler = BusSampler(lambda: bus_stats(bus_url), self.metrics)

    def start(self) -> MetricsRuntime:
        self.publisher.start()
        self.sampler.start()
        return self

    def stop(self) -> None:
        self.sampler.stop()
        self.publisher.stop()
