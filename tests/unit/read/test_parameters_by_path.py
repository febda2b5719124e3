"""ParametersByPath: every page of GetParametersByPath, names relative to the path, a TTL cache."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.stub import Stubber

from personalization.adapters.ssm_config import ParametersByPath

pytestmark = pytest.mark.unit

PATH = "/prefix"


def stubbed_ssm() -> Stubber:
    client = botocore.session.get_session().create_client("ssm", region_name="us-east-1")
    return Stubber(client)


def test_all_pages_are_read_with_names_relative_to_the_path() -> None:
    stubber = stubbed_ssm()
    expected = {"Path": PATH, "Recursive": True, "WithDecryption": False}
    stubber.add_response(
        "get_parameters_by_path",
        {"Parameters": [{"Name": f"{PATH}/a/b", "Value": "1"}], "NextToken": "t"},
        expected,
    )
    stubber.add_response(
        "get_parameters_by_path",
        {"Parameters": [{"Name": f"{PATH}/c", "Value": "2"}]},
        {**expected, "NextToken": "t"},
    )

    with stubber:
        values = ParametersByPath(stubber.client).get_multiple(PATH, max_age=60, recursive=True)

    assert values == {"a/b": "1", "c": "2"}


def test_the_same_values_are_answered_until_the_ttl_ends_or_the_cache_is_cleared() -> None:
    stubber = stubbed_ssm()
    for value in ("1", "2", "3"):
        stubber.add_response(
            "get_parameters_by_path", {"Parameters": [{"Name": f"{PATH}/a", "Value": value}]}
        )
    now = [0.0]
    provider = ParametersByPath(stubber.client, clock=lambda: now[0])

    with stubber:
        first = provider.get_multiple(PATH, max_age=10, recursive=True)
        now[0] = 9.9
        assert provider.get_multiple(PATH, max_age=10, recursive=True) is first
        now[0] = 10.0
        assert provider.get_multiple(PATH, max_age=10, recursive=True) == {"a": "2"}
        provider.clear_cache()
        assert provider.get_multiple(PATH, max_age=10, recursive=True) == {"a": "3"}
