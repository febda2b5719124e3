"""The stack: everything of docs/architecture.md §2, built from the shared deployment data."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from infra.accounts import ShopperAccounts
from infra.analytics import Analytics
from infra.api import RestApi
from infra.config import ConfigParameters
from infra.data import DatasetStorage
from infra.events import EventFanOut
from infra.functions import Functions
from infra.hosting import StorefrontHosting
from infra.observability import Observability
from infra.permissions import ResourceArns
from infra.settings import DeploymentSettings
from personalization.contracts.parameters import EXPERIMENTS
from personalization.contracts.topology import FUNCTIONS, READ_FUNCTIONS, ROUTES, SINKS


class RetailPersonalizationStack(Stack):
    def __init__(self, scope: Construct, settings: DeploymentSettings, **kwargs: Any) -> None:
        super().__init__(
            scope,
            settings.stack_name,
            description="Retail personalization: API, functions, event fan-out, configuration, dashboard",
            **kwargs,
        )
        self.settings = settings
        bus_name = f"{settings.stack_name}-events"
        self.config = ConfigParameters(
            self,
            "Config",
            prefix=settings.parameter_prefix,
            values=(
                {}
                if settings.experiments_file is None
                else {EXPERIMENTS: settings.experiments_file.parameter_value}
            ),
        )
        self.data = DatasetStorage(self, "Data")
        self.functions = Functions(
            self,
            "Functions",
            settings=settings,
            deployment_values={
                "ALLOWED_ORIGINS": ",".join(settings.allowed_origins),
                "POWERTOOLS_LOG_LEVEL": settings.log_level,
                "EVENT_BUS_NAME": bus_name,
                "PROFILE_EMULATION": str(settings.profile_emulation).lower(),
            },
        )
        for spec in FUNCTIONS:
            self.functions.add(spec)
        self.events = EventFanOut(
            self,
            "Events",
            bus_name=bus_name,
            archive_retention_days=settings.archive_retention_days,
            sinks=SINKS,
            functions=self.functions,
        )
        self.analytics = Analytics(
            self, "Analytics", stack_name=settings.stack_name, bus=self.events.bus, bucket=self.data.bucket
        )
        arns = ResourceArns(self, settings.parameter_prefix, self.events.bus)
        for spec in FUNCTIONS:
            self.functions.grant(spec, arns)
        self.accounts = ShopperAccounts(self, "Accounts", settings=settings)
        self.api = RestApi(
            self,
            "Api",
            settings=settings,
            routes=ROUTES,
            functions=self.functions,
            user_pool=self.accounts.user_pool,
        )
        self.observability = Observability(
            self,
            "Observability",
            settings=settings,
            api=self.api.api,
            functions=self.functions.by_spec,
            read_functions=READ_FUNCTIONS,
            sinks=self.events.sinks,
            analytics=self.analytics,
        )
        self.hosting = (
            StorefrontHosting(
                self,
                "Storefront",
                api=self.api.api,
                routes=ROUTES,
                accounts=self.accounts.storefront_config(self.region),
                profile_emulation=settings.profile_emulation,
            )
            if settings.hosting
            else None
        )
        self._outputs()

    def _outputs(self) -> None:
        CfnOutput(self, "ApiUrl", value=self.api.api.url, description="Base URL of the API stage")
        CfnOutput(self, "DataBucketName", value=self.data.bucket.bucket_name, description="Dataset bucket")
        CfnOutput(
            self,
            "PersonalizeRoleArn",
            value=self.data.personalize_role.role_arn,
            description="Role Amazon Personalize assumes to import the datasets",
        )
        CfnOutput(self, "ParameterPrefix", value=self.settings.parameter_prefix, description="SSM path")
        CfnOutput(
            self, "UserPoolId", value=self.accounts.user_pool.user_pool_id, description="Shopper accounts"
        )
        CfnOutput(
            self,
            "UserPoolClientId",
            value=self.accounts.client.user_pool_client_id,
            description="The storefront's app client (no secret; SRP and refresh tokens)",
        )
        CfnOutput(self, "EventBusName", value=self.events.bus.event_bus_name, description="Storefront events")
        CfnOutput(
            self,
            "AnalyticsWorkGroup",
            value=self.analytics.workgroup.ref,
            description="Athena workgroup of the named queries (python -m analytics query --workgroup)",
        )
        CfnOutput(self, "AnalyticsDatabase", value=self.analytics.database_name, description="Glue database")
        CfnOutput(
            self, "AnalyticsStreamName", value=self.analytics.stream_name, description="Firehose stream"
        )
        CfnOutput(
            self,
            "DashboardName",
            value=self.observability.dashboard.dashboard_name,
            description="CloudWatch dashboard",
        )
        if self.hosting is not None:
            CfnOutput(self, "StorefrontUrl", value=self.hosting.url, description="The hosted storefront")
            CfnOutput(
                self,
                "StorefrontBucketName",
                value=self.hosting.bucket.bucket_name,
                description="Storefront files; the dataset's catalog, users and featured JSON go under data/",
            )
