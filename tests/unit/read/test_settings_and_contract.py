"""Settings fail fast; the OpenAPI document and the filter names stay in step with the code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast, get_args

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext

from personalization.contracts.filters import FILTERS, FilterName
from personalization.http.openapi import render
from personalization.settings import ReadSettings, SettingsError, read_settings
from tests.apigw import FakeLambdaContext, rest_event

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[3]


def test_missing_prefix_fails_with_a_clear_message() -> None:
    environ = {
        "POWERTOOLS_SERVICE_NAME": "recommend",
        "POWERTOOLS_METRICS_NAMESPACE": "RetailPersonalization",
    }

    with pytest.raises(SettingsError, match="PARAMETER_PREFIX: Field required"):
        ReadSettings.from_environment(environ)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PARAMETER_PREFIX", "no-leading-slash"), ("ALLOWED_ORIGINS", "ftp://x"), ("CONFIG_TTL_SECONDS", "0")],
)
def test_invalid_values_fail_fast(variable: str, value: str) -> None:
    environ = {**ReadSettings.for_function("recommend").to_environment(), variable: value}

    with pytest.raises(SettingsError, match=variable):
        ReadSettings.from_environment(environ)


def test_rendered_environment_reads_back_the_same_settings() -> None:
    settings = ReadSettings.for_function("rank", "/shop-a", ALLOWED_ORIGINS="https://shop.example.com")

    assert ReadSettings.from_environment(settings.to_environment()) == settings
    assert settings.allowed_origins == ["https://shop.example.com"]


def test_api_filter_names_are_the_defined_filters() -> None:
    assert set(get_args(FilterName)) == set(FILTERS)


def test_committed_openapi_document_is_up_to_date() -> None:
    committed = (REPO / "openapi.json").read_text()

    assert json.loads(committed) == json.loads(render()), "openapi.json is stale: run `make openapi`"


def test_a_handler_imports_without_settings_and_its_first_invocation_fails_on_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Routes are declared at import; the settings are validated before the first request is routed."""
    for variable in ("POWERTOOLS_SERVICE_NAME", "PARAMETER_PREFIX"):
        monkeypatch.delenv(variable, raising=False)
    read_settings.cache_clear()
    import recommend.handler

    try:
        with pytest.raises(SettingsError, match="PARAMETER_PREFIX: Field required"):
            recommend.handler.app.resolve(
                rest_event("GET", "/recommendations"), cast(LambdaContext, FakeLambdaContext())
            )
    finally:
        read_settings.cache_clear()
