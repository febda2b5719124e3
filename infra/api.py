"""The REST API: one method per entry of the shared route table, each to its own function.

Stage throttling, JSON access logs, X-Ray tracing and CORS preflight for the configured
origins are set on the stage. Request validation runs at the edge for structure (a POST
body must be a JSON object); the functions validate the content and answer with the
API's error shape, which the gateway's own 400 answer copies.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.deployment import BAD_REQUEST_BODY, CORS_ALLOWED_HEADERS, CORS_MAX_AGE_SECONDS, METHODS_WITH_BODY
from infra.functions import Functions
from infra.nag import acknowledge
from infra.settings import DeploymentSettings
from personalization.contracts.topology import Route

CORS_MAX_AGE = Duration.seconds(CORS_MAX_AGE_SECONDS)
PUBLIC_API = (
    "The storefront API is public by design (DESIGN section 4): anonymous shoppers call it. "
    "Stage throttling and request validation limit abuse; no shopper credentials exist to check."
)


class RestApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings,
        routes: Sequence[Route],
        functions: Functions,
    ) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=settings.log_retention, removal_policy=RemovalPolicy.DESTROY
        )
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=f"{settings.stack_name}-api",
            description="Retail personalization API (DESIGN section 4)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=False,
            deploy_options=apigw.StageOptions(
                stage_name=settings.stage_name,
                throttling_rate_limit=settings.throttle_rate_limit,
                throttling_burst_limit=settings.throttle_burst_limit,
                tracing_enabled=True,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
            ),
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=list(settings.allowed_origins),
                allow_methods=sorted({route.method for route in routes}),
                allow_headers=list(CORS_ALLOWED_HEADERS),
                max_age=CORS_MAX_AGE,
            ),
        )
        stage = self.api.deployment_stage
        acknowledge(
            stage,
            "AwsSolutions-APIG3",
            "Stage throttling bounds the load; a WAF web ACL (billed per month) is left to deployments "
            "that need it and can be associated with the stage without changing this stack.",
        )
        acknowledge(
            stage,
            "AwsSolutions-APIG6",
            "Every request is logged by the JSON access log, traced by X-Ray and logged by its function; "
            "execution logging would need the account-wide API Gateway CloudWatch role, which a stack "
            "should not take over.",
        )
        validator = self.api.add_request_validator(
            "RequestValidator", validate_request_body=True, validate_request_parameters=True
        )
        json_object = self.api.add_model(
            "JsonObject",
            content_type="application/json",
            schema=apigw.JsonSchema(
                schema=apigw.JsonSchemaVersion.DRAFT4, title="JsonObject", type=apigw.JsonSchemaType.OBJECT
            ),
        )
        self.api.add_gateway_response(
            "BadRequestBody",
            type=apigw.ResponseType.BAD_REQUEST_BODY,
            status_code="400",
            templates={"application/json": json.dumps(BAD_REQUEST_BODY)},
        )
        self.methods: dict[tuple[str, str], apigw.Method] = {}
        for route in routes:
            resource = self.api.root.resource_for_path(route.path)
            method = resource.add_method(
                route.method,
                apigw.LambdaIntegration(functions[route.function]),
                request_validator=validator,
                request_models={"application/json": json_object}
                if route.method in METHODS_WITH_BODY
                else None,
            )
            acknowledge(method, "AwsSolutions-APIG4", PUBLIC_API)
            acknowledge(method, "AwsSolutions-COG4", PUBLIC_API)
            self.methods[(route.method, route.path)] = method
