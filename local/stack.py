"""The whole system on loopback (docs/architecture.md §9), started and stopped as one.

`LocalStack(options).start()` brings up, in this order: the dataset (generated when missing),
the emulator (its own process), a moto server for SSM (a thread), the local bus and queues for
EventBridge and SQS (`local.bus`, its own process, forwarding every other service to moto), what
the CDK stack creates (parameters, bus, rules, queues; in moto the user pool, its app client and
the demo account), one warm process per function, the event source mappings, the API gateway
(with the pool's authorizer on the /me/* routes) and the storefront host. `stop()` undoes it all,
last started first, and is also what a failed start runs.
"""

from __future__ import annotations

import errno
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from dataset import GeneratorConfig
from local.authorizer import CognitoAuthorizer, UserPool
from local.bus.process import BusProcess
from local.cognito import LocalAccounts, cognito_client, create_accounts
from local.data import DataFolder, ensure_dataset
from local.emulator_process import EmulatorProcess
from local.environment import LOCAL_CREDENTIALS, function_environment
from local.event_source import EventSourceMapping, SqsPoller
from local.firehose import (
    BRIDGE_MAX_RECEIVE_COUNT,
    LOCAL_BUFFER_MIB,
    LOCAL_BUFFER_SECONDS,
    MEBIBYTE,
    FolderWriter,
    LocalDeliveryStream,
    StreamConfig,
    visibility_timeout_seconds,
)
from local.functions import FunctionConfig, FunctionPool
from local.gateway import CorsPolicy, Gateway
from local.metrics.runtime import MetricsRuntime
from local.ops.definition import QueueUrls
from local.ops.service import OpsService
from local.resources import (
    SinkQueues,
    StreamBridge,
    create_event_resources,
    create_stream_bridge,
    put_parameters,
)
from local.storefront import StorefrontServer
from personalization.contracts.parameters import DEFAULT_PREFIX
from personalization.contracts.topology import ANALYTICS_STREAM, FUNCTIONS, ROUTES, SINKS
from personalization.settings import DEAD_LETTER_QUEUE_URL, DEFAULT_EVENT_BUS_NAME, RETRY_BACKOFF_MAX_SECONDS
from repository import DEFAULT_DATA_DIR

logger = logging.getLogger("local.stack")

HOST = "127.0.0.1"
MOTO_SERVICES = ("ssm",)
BUS_SERVICES = ("events", "sqs")
"""moto's SQS and EventBridge cost more per call the more messages wait (docs/architecture.md §9)."""
EMULATOR_SERVICES = ("personalize-runtime", "personalize-events", "pinpoint")


@contextmanager
def _timed(phase: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    logger.info("%s: %.2f s", phase, time.monotonic() - started)


class PortsBusyError(RuntimeError):
    def __init__(self, ports: list[int]) -> None:
        super().__init__(f"port {', '.join(map(str, ports))} {'is' if len(ports) == 1 else 'are'} busy")
        self.ports = ports


@dataclass(frozen=True)
class StackOptions:
    data_dir: Path = DEFAULT_DATA_DIR
    api_port: int = 3000
    storefront_port: int = 8080
    """0 for any free port (tests)."""
    dataset: GeneratorConfig = field(default_factory=GeneratorConfig)
    region: str = "us-east-1"
    parameter_prefix: str = DEFAULT_PREFIX
    max_concurrency: int = 2
    """Instances per function at most, as a reserved concurrency; the CPU has 2 cores."""
    sink_visibility_timeout_seconds: int | None = None
    """Overrides the sinks' visibility timeout, so that tests see redelivery within seconds (never
    shorter than a sink's batching window and a second: `local.resources.shortest_visibility_seconds`)."""
    profile_emulation: bool = True
    """A signed-in account may emulate a dataset shopper (`custom:shopper_id`), as the CDK context's
    `profileEmulation`: the functions' PROFILE_EMULATION and the app client's write attributes."""


@dataclass(frozen=True)
class StartReport:
    seconds: float
    dataset_generated: bool


def check_ports_free(ports: list[int]) -> None:
    busy = []
    for port in ports:
        if port == 0:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((HOST, port))
            except OSError as error:
                if error.errno != errno.EADDRINUSE:
                    raise
                busy.append(port)
    if busy:
        raise PortsBusyError(busy)


class LocalStack:
    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.folder = DataFolder(options.data_dir)
        self.pools: dict[str, FunctionPool] = {}
        self.sinks: dict[str, SinkQueues] = {}
        self.analytics: StreamBridge | None = None
        """The analytics rule's queue, drained by the local delivery stream (`local.firehose`)."""
        self._emulator = EmulatorProcess(self.folder.dataset, self.folder.log("emulator"), options.region)
        self._moto = ThreadedMotoServer(HOST, 0, verbose=False)
        self._gateway: Gateway | None = None
        self._storefront: StorefrontServer | None = None
        self._moto_url = ""
        self._bus = BusProcess(self.folder.root / "bus-archive", self.folder.log("bus"), options.region)
        self._accounts: LocalAccounts | None = None
        self._metrics: MetricsRuntime | None = None
        """The functions' EMF metrics and the Lambda, API and queue figures, in moto's CloudWatch."""
        self._stops: list[Callable[[], None]] = []

    @property
    def api_url(self) -> str:
        return self._require(self._gateway).url

    @property
    def storefront_url(self) -> str:
        return self._require(self._storefront).url

    @property
    def moto_url(self) -> str:
        return self._moto_url

    @property
    def aws_url(self) -> str:
        """The local AWS endpoint: EventBridge and SQS (`local.bus`), every other service (SSM) moto's."""
        return self._bus.url

    @property
    def emulator_url(self) -> str:
        return self._emulator.url

    @property
    def accounts(self) -> LocalAccounts:
        """The user pool, its app client and the demo account."""
        accounts: LocalAccounts = self._require(self._accounts)
        return accounts

    def start(self) -> StartReport:
        started = time.monotonic()
        try:
            generated = self._start()
            self._write_endpoints()
        except BaseException:
            self.stop()
            raise
        return StartReport(time.monotonic() - started, generated)

    def endpoints(self) -> dict[str, Any]:
        """What `endpoints.json` holds: the API, the storefront, the local AWS services (the local bus
        and queues, SSM behind them; the AWS CLI's `--endpoint-url`) and the emulator of Personalize
        and Pinpoint."""
        return {
            "api": self.api_url,
            "storefront": self.storefront_url,
            "aws": self.aws_url,
            "emulator": self.emulator_url,
            "region": self.options.region,
            "cognito": self.accounts.endpoints_entry(),
        }

    def _write_endpoints(self) -> None:
        path = self.folder.endpoints
        path.write_text(json.dumps(self.endpoints(), indent=2) + "\n", encoding="utf-8")
        self._stops.insert(0, lambda: path.unlink(missing_ok=True))

    def stop(self) -> None:
        while self._stops:
            stop = self._stops.pop()
            try:
                with _timed(f"stop {getattr(stop, '__qualname__', stop)}"):
                    stop()
            except Exception:
                logger.exception("stopping %s failed", getattr(stop, "__qualname__", stop))

    def describe(self) -> dict[str, Any]:
        """Where everything is, JSON-ready (printed by `python -m local.demo --json`)."""
        return {
            "apiUrl": self.api_url,
            "storefrontUrl": self.storefront_url,
            "dataDir": str(self.folder.root),
            "datasetDir": str(self.folder.dataset),
            "logsDir": str(self.folder.logs),
            "awsUrl": self.aws_url,
            "motoUrl": self.moto_url,
            "emulatorUrl": self.emulator_url,
            "region": self.options.region,
            "parameterPrefix": self.options.parameter_prefix,
            "eventBusName": DEFAULT_EVENT_BUS_NAME,
            "endpointsFile": str(self.folder.endpoints),
            "cognito": {
                **self.accounts.endpoints_entry(),
                "endpoint": self.accounts.endpoint,
                "demoEmail": self.accounts.demo_email,
                "demoPassword": self.accounts.demo_password,
                "profileEmulation": self.options.profile_emulation,
            },
            "queues": {
                name: {"url": q.queue_url, "arn": q.queue_arn, "dlqUrl": q.dlq_url, "dlqArn": q.dlq_arn}
                for name, q in self.sinks.items()
            },
            "analytics": self._describe_analytics(),
        }

    def _describe_analytics(self) -> dict[str, Any] | None:
        if self.analytics is None:
            return None
        bridge = self.analytics
        return {
            "dir": str(self.folder.root / ANALYTICS_STREAM.prefix),
            "queueUrl": bridge.queue_url,
            "dlqUrl": bridge.dlq_url,
            "bufferSeconds": LOCAL_BUFFER_SECONDS,
            "bufferBytes": LOCAL_BUFFER_MIB * MEBIBYTE,
        }

    def client(self, service: str) -> Any:
        """A client of the local AWS services (ssm, events, sqs), through the local bus's endpoint."""
        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.aws_url,
            region_name=self.options.region,
            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def _start(self) -> bool:
        options = self.options
        check_ports_free([options.api_port, options.storefront_port])
        self._gateway = Gateway(ROUTES, self._invoke, HOST, options.api_port)
        self._stops.append(self._gateway.stop)
        with _timed("dataset"):
            generated = ensure_dataset(self.folder.dataset, options.dataset)
        self._storefront = StorefrontServer(
            self.api_url, self.folder.dataset, host=HOST, port=options.storefront_port
        )
        self._stops.append(self._storefront.stop)
        self._emulator.start()
        self._stops.append(self._emulator.stop)
        with _timed("moto server, local bus and resources"):
            self._moto.start()
            self._stops.append(self._moto.stop)
            self._moto_url = f"http://{HOST}:{self._moto.get_host_and_port()[1]}"
            self._bus.start(forward_url=self._moto_url)
            self._stops.append(self._bus.stop)
            self._metrics = MetricsRuntime(
                self._moto_url, self.aws_url, options.region, LOCAL_CREDENTIALS
            ).start()
            self._stops.append(self._metrics.stop)
            self._gateway.metrics = self._metrics.metrics
            events, sqs = self.client("events"), self.client("sqs")
            self.sinks = create_event_resources(
                events, sqs, visibility_timeout_seconds=options.sink_visibility_timeout_seconds
            )
            self.analytics = create_stream_bridge(
                sqs,
                events,
                DEFAULT_EVENT_BUS_NAME,
                ANALYTICS_STREAM,
                max_receive_count=BRIDGE_MAX_RECEIVE_COUNT,
                visibility_timeout_seconds=visibility_timeout_seconds(LOCAL_BUFFER_SECONDS),
            )
        with _timed("user pool"):
            self._accounts = create_accounts(
                cognito_client(self._moto_url, options.region),
                self._moto_url,
                options.region,
                profile_emulation=options.profile_emulation,
            )
        with _timed("emulator ready"):
            self._emulator.wait_ready()
        with ThreadPoolExecutor(max_workers=1) as background, _timed("functions and parameters"):
            # moto loads its SSM defaults on the first call (seconds of work): overlap it with the functions.
            parameters_written = background.submit(
                put_parameters, self.client("ssm"), options.parameter_prefix, self._emulator.ssm_parameters
            )
            self._start_functions()
            parameters_written.result()
        self._start_event_source_mappings(sqs)
        self._start_analytics_stream(sqs)
        self._gateway.cors = CorsPolicy(self._origins())
        self._gateway.authorizer = CognitoAuthorizer(
            UserPool(
                region=options.region,
                user_pool_id=self.accounts.user_pool_id,
                client_ids=(self.accounts.client_id,),
                jwks_url=self.accounts.jwks_url,
            )
        )
        self._storefront.configure(self.accounts.storefront_config(), options.profile_emulation)
        self._storefront.configure_ops(
            OpsService.for_stack(
                self._moto_url,
                options.region,
                LOCAL_CREDENTIALS,
                {name: QueueUrls(q.queue_url, q.dlq_url) for name, q in self.sinks.items()},
                QueueUrls(self.analytics.queue_url, self.analytics.dlq_url) if self.analytics else None,
            )
        )
        self._gateway.start()
        self._storefront.start()
        for server in (self._storefront, self._gateway):
            # Bound first (to claim the ports), served last: stopped first, before what they call.
            self._stops.remove(server.stop)
            self._stops.append(server.stop)
        return generated

    def _start_functions(self) -> None:
        endpoints = {
            **dict.fromkeys(MOTO_SERVICES, self._moto_url),
            **dict.fromkeys(BUS_SERVICES, self.aws_url),
            **dict.fromkeys(EMULATOR_SERVICES, self._emulator.url),
        }
        deployment_values = {
            "EVENT_BUS_NAME": DEFAULT_EVENT_BUS_NAME,
            "ALLOWED_ORIGINS": ",".join(self._origins()),
            "PROFILE_EMULATION": str(self.options.profile_emulation).lower(),
        }
        # Each sink's own dead-letter queue; the test stack's short visibility caps the backoff too.
        backoff = self.options.sink_visibility_timeout_seconds
        sink_values = {
            name: {
                DEAD_LETTER_QUEUE_URL: queues.dlq_url,
                **({} if backoff is None else {RETRY_BACKOFF_MAX_SECONDS: str(backoff)}),
            }
            for name, queues in self.sinks.items()
        }
        for spec in FUNCTIONS:
            values = {**deployment_values, **sink_values.get(spec.name, {})}
            environment = function_environment(
                spec, self.options.parameter_prefix, values, endpoints, self.options.region
            )
            config = FunctionConfig(
                spec,
                environment,
                self.folder.log(spec.name),
                max_concurrency=self.options.max_concurrency,
                metrics=self._metrics.metrics if self._metrics else None,
            )
            self.pools[spec.name] = FunctionPool(config)
        self._stops.append(self._stop_functions)
        with ThreadPoolExecutor(max_workers=len(self.pools)) as starting:
            for future in [starting.submit(pool.start) for pool in self.pools.values()]:
                future.result()

    def _stop_functions(self) -> None:
        """All pools at once: each instance takes a moment to exit."""
        with ThreadPoolExecutor(max_workers=len(self.pools)) as stopping:
            for future in [stopping.submit(pool.stop) for pool in self.pools.values()]:
                future.result()

    def _start_event_source_mappings(self, sqs: Any) -> None:
        pollers: list[SqsPoller] = []
        for sink in SINKS:
            queues = self.sinks[sink.function.name]
            mapping = EventSourceMapping(
                function=sink.function.name,
                queue_url=queues.queue_url,
                queue_arn=queues.queue_arn,
                batch_size=sink.batch_size,
                batching_window_seconds=sink.batching_window_seconds,
                region=self.options.region,
            )
            pollers.append(SqsPoller(mapping, sqs, self._invoke))
            pollers[-1].start()

        def stop_pollers() -> None:
            for poller in pollers:
                poller.request_stop()
            for poller in pollers:
                poller.join()

        self._stops.append(stop_pollers)

    def _start_analytics_stream(self, sqs: Any) -> None:
        """The analytics rule's target: files under <data>/analytics/, as the stack's Firehose in S3."""
        bridge = self._require(self.analytics)
        config = StreamConfig(
            stream_name=f"retail-personalization-{ANALYTICS_STREAM.name}", queue_url=bridge.queue_url
        )
        metrics = self._metrics.metrics if self._metrics else None
        stream = LocalDeliveryStream(config, sqs, FolderWriter(self.folder.root), metrics=metrics)
        stream.start()
        self._stops.append(stream.stop)

    def _invoke(self, function: str, event: dict[str, Any]) -> Any:
        return self.pools[function].invoke(event)

    def _origins(self) -> tuple[str, ...]:
        """The storefront's origins, as the stack's default ALLOWED_ORIGINS for port 8080."""
        port = self._require(self._storefront).port
        return (f"http://127.0.0.1:{port}", f"http://localhost:{port}")

    @staticmethod
    def _require(server: Any) -> Any:
        if server is None:
            raise RuntimeError("the local stack is not started")
        return server
