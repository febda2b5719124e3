"""The environment each local function process starts with, and nothing else.

What the stack gives the function (its settings model's variables, the same Powertools
switches as `infra.functions`), what Lambda's runtime adds (reserved variables, credentials,
region), and the standard `AWS_ENDPOINT_URL_<SERVICE>` variables that point the SDK at the
local services, so that no handler knows it runs locally.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache

import botocore.session

from infra.deployment import MEMORY_MB
from personalization.contracts.topology import FunctionSpec

LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
}
LOCAL_POWERTOOLS_ENVIRONMENT = {"POWERTOOLS_TRACE_DISABLED": "true"}
"""No X-Ray daemon runs locally (SAM local disables the tracer the same way)."""


@cache
def endpoint_variable(service: str) -> str:
    """The SDK's service-specific endpoint variable, e.g. `events` -> AWS_ENDPOINT_URL_EVENTBRIDGE."""
    service_id = botocore.session.get_session().get_service_model(service).service_id
    return f"AWS_ENDPOINT_URL_{service_id.hyphenize().replace('-', '_').upper()}"


def endpoint_environment(endpoints: Mapping[str, str]) -> dict[str, str]:
    """`{"ssm": url, ...}` (boto3 client names) as endpoint variables."""
    return {endpoint_variable(service): url for service, url in endpoints.items()}


def function_environment(
    spec: FunctionSpec,
    parameter_prefix: str,
    deployment_values: Mapping[str, str],
    endpoints: Mapping[str, str],
    region: str,
) -> dict[str, str]:
    """The stack's environment of the function (`FunctionSpec.environment`), and what a local run adds."""
    return {
        **spec.environment(parameter_prefix, deployment_values),
        **LOCAL_POWERTOOLS_ENVIRONMENT,
        **lambda_runtime_environment(spec, region),
        **endpoint_environment(endpoints),
    }


def lambda_runtime_environment(spec: FunctionSpec, region: str) -> dict[str, str]:
    """The variables Lambda's Python runtime sets for every function."""
    return {
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(MEMORY_MB[spec]),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "_HANDLER": spec.handler,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        **LOCAL_CREDENTIALS,
        "PATH": os.defpath,
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
    }
