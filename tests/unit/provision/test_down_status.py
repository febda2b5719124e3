"""`python -m provision down` and `status`."""

from __future__ import annotations

import pytest

from personalization.contracts.parameters import NOT_CONFIGURED, USER_PERSONALIZATION_ARN
from provision.dataset_files import Dataset
from tests.unit.provision.conftest import Account
from tests.unit.provision.script import ACTIVE, BASE, FAILED, IN_PROGRESS

pytestmark = pytest.mark.unit


def provisioned(account: Account) -> dict[str, str]:
    """Run a full `up`, and return what then exists (every resource, ACTIVE)."""
    account.script.up()
    assert account.run("up") == 0, account.err.getvalue()
    return {resource.key: ACTIVE for stage in account.script.stages for resource in stage}


def test_down_resets_every_parameter_and_deletes_in_reverse_order(account: Account) -> None:
    present = provisioned(account)
    account.script.down(present)

    assert account.run("down") == 0, account.err.getvalue()

    account.stubber.assert_no_pending_responses()
    assert set(account.parameters().values()) == {NOT_CONFIGURED}
    assert account.uploaded_keys() == []
    output = account.out.getvalue()
    deletions = [line.split()[1:] for line in output.splitlines() if line.strip().startswith("delete")]
    kinds = [" ".join(words[:-1]) for words in deletions]
    assert kinds.index("campaign") < kinds.index("solution") < kinds.index("dataset") < kinds.index("schema")
    assert kinds.index("filter") < kinds.index("dataset group")
    assert "keep     import job" in output


def test_down_waits_until_each_resource_is_gone_before_deleting_its_parent(account: Account) -> None:
    present = provisioned(account)
    account.script.down(present, still_deleting={"campaign:related-items": 2, "dataset-group": 1})

    assert account.run("down") == 0, account.err.getvalue()

    account.stubber.assert_no_pending_responses()
    output = account.out.getvalue()
    assert f"wait     campaign {BASE}-related-items  DELETE IN_PROGRESS" in output
    assert f"wait     dataset group {BASE}  DELETE IN_PROGRESS" in output
    assert len(account.clock.sleeps) == 3


def test_down_on_an_empty_account_deletes_nothing(account: Account) -> None:
    account.script.down({})

    assert account.run("down") == 0, account.err.getvalue()

    account.stubber.assert_no_pending_responses()
    assert "delete" not in account.out.getvalue().replace("resources deleted", "")


def test_status_shows_each_resource_its_state_and_the_parameters(account: Account, dataset: Dataset) -> None:
    present = provisioned(account)
    present["version:related-items"] = FAILED
    account.script.state("version:related-items").failure_reason = "not enough interactions"
    present["campaign:personalized-ranking"] = IN_PROGRESS
    del present["campaign:related-items"]
    account.script.discover(present)

    assert account.run("status") == 0, account.err.getvalue()

    account.stubber.assert_no_pending_responses()
    lines = account.out.getvalue().splitlines()

    def line_for(label: str) -> str:
        return next(line for line in lines if line.strip().startswith(label))

    assert "ACTIVE" in line_for(f"dataset group {BASE} ")
    assert "CREATE FAILED" in line_for(f"solution version {BASE}-related-items")
    assert "(not enough interactions)" in line_for(f"solution version {BASE}-related-items")
    assert "CREATE IN_PROGRESS" in line_for(f"campaign {BASE}-personalized-ranking")
    assert line_for(f"campaign {BASE}-related-items").endswith("absent")
    assert "s3://data-bucket/" in line_for("upload interactions.csv")
    assert any(
        line.strip().startswith(f"parameter {USER_PERSONALIZATION_ARN} = arn:aws:personalize:")
        for line in lines
    )


def test_status_of_an_account_without_resources(account: Account) -> None:
    account.script.discover({})

    assert account.run("status") == 0, account.err.getvalue()

    lines = [line for line in account.out.getvalue().splitlines() if not line.strip().startswith("parameter")]
    assert all(line.endswith("absent") for line in lines)
    assert f"parameter {USER_PERSONALIZATION_ARN} = NONE" in account.out.getvalue()
