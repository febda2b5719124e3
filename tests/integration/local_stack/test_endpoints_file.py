"""`endpoints.json` in the data folder: every part of the running twin, reachable from outside."""

from __future__ import annotations

import json

import boto3
import pytest
import requests

from tests.stack_fixture import LocalStackHandle

pytestmark = pytest.mark.integration


def test_endpoints_json_names_every_part_and_each_answers(local_stack: LocalStackHandle) -> None:
    endpoints = json.loads((local_stack.data_dir / "endpoints.json").read_text())

    assert set(endpoints) == {"api", "storefront", "aws", "emulator", "region", "cognito"}
    assert set(endpoints["cognito"]) == {"userPoolId", "clientId", "region"}
    assert endpoints["api"] == local_stack.api_url
    featured = requests.get(f"{endpoints['api']}/recommendations", timeout=10)
    assert featured.status_code == 200
    assert requests.get(endpoints["storefront"], timeout=10).status_code == 200
    assert requests.get(f"{endpoints['emulator']}/_emulator/health", timeout=10).json()["status"] == "ok"
    ssm = boto3.client(
        "ssm",
        endpoint_url=endpoints["aws"],
        region_name=endpoints["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    names = [p["Name"] for p in ssm.get_parameters_by_path(Path="/", Recursive=True)["Parameters"]]
    assert any(name.endswith("/catalog/featured-item-ids") for name in names)
