"""The REST API: one method per entry of the shared route table, each to its own function.

Per-method throttling (events lower than reads), JSON access logs, X-Ray tracing and CORS
preflight for the configured origins are set on the stage. The signed-in routes (/me/*) sit
behind API Gateway's native Cognito user-pool authorizer: a missing or invalid ID token is a 401
before any function runs, and the function reads the shopper from the verified claims. Request
validation runs at the edge for structure (a POST body must be a JSON object); the functions
validate the content and answer with the API's error shape, which the gateway's own 400 answer
copies. With `-c waf=true` a WAFv2 web ACL guards the stage (`infra.waf`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.deployment import BAD_REQUEST_BODY, CORS_ALLOWED_HEADERS, CORS_MAX_AGE_SECONDS, METHODS_WITH_BODY
from infra.functions import Functions
from infra.nag import acknowledge
from infra.settings import DeploymentSettings
from infra.waf import ApiFirewall
from personalization.contracts.topology import TRACK_EVENT, Route

CORS_MAX_AGE = Duration.seconds(CORS_MAX_AGE_SECONDS)
ANONYMOUS_ROUTE = (
    "An anonymous route by design (docs/architecture.md §4): visitors get featured items, lists in their "
    "natural order, related products and session-only events, none of it a shopper's data. Its signed-in "
    "twin under /me carries the Cognito user-pool authorizer; per-method throttling (and the optional "
    "WAF web ACL) bound abuse."
)
NO_WAF = (
    "The web ACL is optional (`-c waf=true`: per-IP rate rule, AWS common and known-bad-inputs rule "
    "groups; billed per month and per request); without it per-method stage throttling bounds the load."
)


def throttle_key(route: Route) -> str:
    """The stage's method-settings key of a route: `/me/events/POST`."""
    return f"{route.path}/{route.method}"


def method_throttling(
    settings: DeploymentSettings, routes: Sequence[Route]
) -> dict[str, apigw.MethodDeploymentOptions]:
    """Each method's rate and burst: the events methods lower than the reads."""
    options = {}
    for route in routes:
        if route.function == TRACK_EVENT:
            rate, burst = settings.events_throttle_rate_limit, settings.events_throttle_burst_limit
        else:
            rate, burst = settings.throttle_rate_limit, settings.throttle_burst_limit
        options[throttle_key(route)] = apigw.MethodDeploymentOptions(
            throttling_rate_limit=rate, throttling_burst_limit=burst
        )
    return options


class RestApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings,
        routes: Sequence[Route],
        functions: Functions,
        user_pool: cognito.IUserPool,
    ) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=settings.log_retention, removal_policy=RemovalPolicy.DESTROY
        )
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=f"{settings.stack_name}-api",
            description="Retail personalization API: recommendations, related products, ranking, events",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=False,
            deploy_options=apigw.StageOptions(
                stage_name=settings.stage_name,
                throttling_rate_limit=settings.throttle_rate_limit,
                throttling_burst_limit=settings.throttle_burst_limit,
                method_options=method_throttling(settings, routes),
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
        self.firewall = (
            ApiFirewall(
                self,
                "Firewall",
                stage=stage,
                rate_limit=settings.waf_rate_limit,
                name=f"{settings.stack_name}-api",
            )
            if settings.waf
            else None
        )
        if self.firewall is None:
            acknowledge(stage, "AwsSolutions-APIG3", NO_WAF)
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
        # The authorizer's own answers carry the caller's origin, so the storefront can read a 401 and
        # refresh its token (they hold no data: {"message":"Unauthorized"}, {"message":"..."}).
        for response_type, name in (
            (apigw.ResponseType.UNAUTHORIZED, "Unauthorized"),
            (apigw.ResponseType.ACCESS_DENIED, "AccessDenied"),
        ):
            self.api.add_gateway_response(
                name,
                type=response_type,
                response_headers={
                    "Access-Control-Allow-Origin": "method.request.header.Origin",
                    "Vary": "'Origin'",
                },
            )
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "ShopperAuthorizer",
            authorizer_name="shopper-id-token",
            cognito_user_pools=[user_pool],
            identity_source="method.request.header.Authorization",
            # No cached decisions: each request's token is checked (signature, issuer, expiry) afresh.
            results_cache_ttl=Duration.seconds(0),
        )
        self.methods: dict[tuple[str, str], apigw.Method] = {}
        for route in routes:
            resource = self.api.root.resource_for_path(route.path)
            method = resource.add_method(
                route.method,
                apigw.LambdaIntegration(functions.invocable(route.function)),
                request_validator=validator,
                request_models={"application/json": json_object}
                if route.method in METHODS_WITH_BODY
                else None,
                authorizer=self.authorizer if route.signed_in else None,
                authorization_type=apigw.AuthorizationType.COGNITO if route.signed_in else None,
            )
            if not route.signed_in:
                acknowledge(method, "AwsSolutions-APIG4", ANONYMOUS_ROUTE)
                acknowledge(method, "AwsSolutions-COG4", ANONYMOUS_ROUTE)
            self.methods[(route.method, route.path)] = method
