"""The table's columns are the bus detail's fields (plus the experiment), and the deployment's names."""

from __future__ import annotations

import pytest

from analytics.schema import COLUMNS, PARTITION, database_name, stack_of_workgroup, workgroup_name
from personalization.contracts.events import EventDetail
from personalization.contracts.topology import ANALYTICS_STREAM

pytestmark = pytest.mark.unit


def test_columns_are_the_detail_fields_in_order_then_the_experiment() -> None:
    names = [column.name for column in COLUMNS]
    fields = list(EventDetail.model_fields)
    assert [name for name in names if name in fields] == fields
    assert set(names) - set(fields) <= {"experiment"}
    assert "experiment" in names


def test_the_partition_is_the_streams_partition_key() -> None:
    assert PARTITION.name == ANALYTICS_STREAM.partition_key == "event_date"


@pytest.mark.parametrize(
    ("stack", "database"),
    [
        ("RetailPersonalization", "retail_personalization_analytics"),
        ("RetailPersonalizationHosted", "retail_personalization_hosted_analytics"),
        ("shop-2", "shop_2_analytics"),
    ],
)
def test_names_of_a_stack(stack: str, database: str) -> None:
    assert database_name(stack) == database
    assert stack_of_workgroup(workgroup_name(stack)) == stack
    assert stack_of_workgroup("primary") is None
