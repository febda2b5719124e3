"""`python -m provision up`: a full run, a second run, resumed runs, failures, the plan, timeouts."""

from __future__ import annotations

import pytest

from personalization.contracts.parameters import (
    EVENT_TRACKER_ID,
    FEATURED_ITEM_IDS,
    NOT_CONFIGURED,
    PERSONALIZED_RANKING_ARN,
    RELATED_ITEMS_ARN,
    USER_PERSONALIZATION_ARN,
    filter_parameter,
)
from provision.dataset_files import Dataset
from tests.unit.provision.conftest import Account
from tests.unit.provision.script import ACCOUNT_ARN, ACTIVE, BASE, FAILED, IN_PROGRESS, Resource

pytestmark = pytest.mark.unit

CAMPAIGN_PARAMETERS = {
    USER_PERSONALIZATION_ARN: f"{ACCOUNT_ARN}:campaign/{BASE}-user-personalization",
    RELATED_ITEMS_ARN: f"{ACCOUNT_ARN}:campaign/{BASE}-related-items",
    PERSONALIZED_RANKING_ARN: f"{ACCOUNT_ARN}:campaign/{BASE}-personalized-ranking",
}
PERSONALIZE_PARAMETERS = {
    **CAMPAIGN_PARAMETERS,
    EVENT_TRACKER_ID: "tracking-id",
    filter_parameter("exclude-purchased"): f"{ACCOUNT_ARN}:filter/{BASE}-exclude-purchased",
    filter_parameter("include-category"): f"{ACCOUNT_ARN}:filter/{BASE}-include-category",
}


def all_resources(account: Account) -> list[Resource]:
    return [resource for stage in account.script.stages for resource in stage]


def everything_active(account: Account) -> None:
    for resource in all_resources(account):
        account.script.state(resource.key).found = ACTIVE


def assert_fully_provisioned(account: Account, dataset: Dataset) -> None:
    values = account.parameters()
    for name, value in PERSONALIZE_PARAMETERS.items():
        assert values[name] == value, name
    assert values[FEATURED_ITEM_IDS] == ",".join(dataset.featured_item_ids)
    assert account.uploaded_keys() == sorted(
        f"{BASE}/{f.kind.key}-{f.digest[:16]}.csv" for f in dataset.files
    )
    account.stubber.assert_no_pending_responses()


def test_a_full_run_creates_every_resource_and_writes_every_parameter(
    account: Account, dataset: Dataset
) -> None:
    account.script.up()

    assert account.run("up") == 0, account.err.getvalue()

    assert_fully_provisioned(account, dataset)
    output = account.out.getvalue()
    assert f"create   campaign {BASE}-user-personalization" in output
    assert f"write    parameter {USER_PERSONALIZATION_ARN}" in output
    assert account.requested == ["personalize", "s3", "ssm"]


def test_training_runs_on_viewed_products_with_the_v2_recipes_and_one_tps_campaigns(account: Account) -> None:
    solutions = {r.key: r.create_params for r in all_resources(account) if r.key.startswith("solution:")}
    assert {p["eventType"] for p in solutions.values()} == {"ProductViewed"}
    assert solutions["solution:user-personalization"]["recipeArn"].endswith("/aws-user-personalization-v2")
    account.script.up()

    assert account.run("up") == 0, account.err.getvalue()

    account.stubber.assert_no_pending_responses()


def test_a_second_run_creates_nothing_and_writes_nothing(account: Account, dataset: Dataset) -> None:
    account.script.up()
    assert account.run("up") == 0, account.err.getvalue()
    versions = account.parameter_versions()
    keys_before = account.uploaded_keys()
    everything_active(account)
    account.script.up()

    assert account.run("up") == 0, account.err.getvalue()

    account.stubber.assert_no_pending_responses()
    assert account.parameter_versions() == versions
    assert account.uploaded_keys() == keys_before
    assert "create" not in account.out.getvalue()
    assert_fully_provisioned(account, dataset)


@pytest.mark.parametrize("stopped_at", range(21))
def test_a_run_resumes_after_each_step(account: Account, dataset: Dataset, stopped_at: int) -> None:
    """Steps before `stopped_at` are ACTIVE, that one is still in progress, the rest do not exist yet."""
    account.upload_as_a_previous_run_did(dataset)
    ordered = all_resources(account)
    for resource in ordered[:stopped_at]:
        account.script.state(resource.key).found = ACTIVE
    interrupted = ordered[stopped_at]
    account.script.state(interrupted.key).found = IN_PROGRESS
    account.script.state(interrupted.key).describes = (IN_PROGRESS, ACTIVE)
    account.script.up()

    assert account.run("up") == 0, account.err.getvalue()

    assert_fully_provisioned(account, dataset)
    assert f"found    {interrupted.api.kind} {interrupted.name}" in account.out.getvalue()
    if interrupted.api.has_status:
        assert account.clock.sleeps, "an in-progress resource is polled"


def test_waiting_polls_with_the_step_interval_and_reports_progress(account: Account) -> None:
    version = "version:user-personalization"
    account.script.state(version).describes = (IN_PROGRESS, IN_PROGRESS, ACTIVE)
    account.script.up()

    assert account.run("up") == 0, account.err.getvalue()

    assert account.clock.sleeps.count(60.0) >= 2
    assert (
        f"wait     solution version {BASE}-user-personalization  {IN_PROGRESS} (0m00s)"
        in account.out.getvalue()
    )


def test_a_failed_import_job_stops_the_run_with_the_reason_and_what_to_do(account: Account) -> None:
    state = account.script.state("import:interactions")
    state.describes = (IN_PROGRESS, FAILED)
    state.failure_reason = "Input CSV is missing the following columns: [EVENT_TYPE]"
    account.script.up()

    assert account.run("up") == 1

    error = account.err.getvalue()
    assert "Input CSV is missing the following columns: [EVENT_TYPE]" in error
    assert "what to do:" in error
    assert "starts a new import job" in error
    account.stubber.assert_no_pending_responses()
    values = account.parameters()
    assert all(values[name] == NOT_CONFIGURED for name in PERSONALIZE_PARAMETERS)


def test_a_rerun_after_a_failed_import_job_starts_a_new_one(account: Account, dataset: Dataset) -> None:
    account.upload_as_a_previous_run_did(dataset)
    resources = all_resources(account)
    for resource in resources[: resources.index(next(r for r in resources if r.key == "import:users"))]:
        account.script.state(resource.key).found = ACTIVE
    account.script.state("import:users").found = FAILED
    account.script.up()

    assert account.run("up") == 0, account.err.getvalue()

    assert f"retry    import job {BASE}-users-" in account.out.getvalue()
    assert_fully_provisioned(account, dataset)


def test_a_failed_solution_version_stops_the_run_and_a_rerun_trains_again(
    account: Account, dataset: Dataset
) -> None:
    state = account.script.state("version:related-items")
    state.describes = (IN_PROGRESS, FAILED)
    state.failure_reason = "There are not enough interactions to train"
    account.script.up()

    assert account.run("up") == 1

    assert "There are not enough interactions to train" in account.err.getvalue()
    assert "it trains a new version" in account.err.getvalue()
    assert account.parameters()[RELATED_ITEMS_ARN] == NOT_CONFIGURED
    account.stubber.assert_no_pending_responses()

    everything_active(account)
    state.found, state.describes = FAILED, (IN_PROGRESS, ACTIVE)
    for key in ("campaign:user-personalization", "campaign:related-items", "campaign:personalized-ranking"):
        account.script.state(key).found = None
    account.script.up()

    assert account.run("up") == 0, account.err.getvalue()

    assert f"retry    solution version {BASE}-related-items" in account.out.getvalue()
    related = account.parameters()[RELATED_ITEMS_ARN]
    assert related == CAMPAIGN_PARAMETERS[RELATED_ITEMS_ARN]
    account.stubber.assert_no_pending_responses()


def test_a_failed_campaign_is_not_retried_blindly(account: Account) -> None:
    resources = all_resources(account)
    for resource in resources:
        account.script.state(resource.key).found = ACTIVE
    account.script.state("campaign:related-items").found = FAILED
    account.script.state("campaign:related-items").failure_reason = "Internal failure"
    account.script.up()

    assert account.run("up") == 1

    assert "campaign retail-personalization-related-items failed: Internal failure" in account.err.getvalue()
    assert "python -m provision down" in account.err.getvalue()


def test_a_resource_that_never_finishes_stops_the_run_at_its_time_limit(account: Account) -> None:
    account.script.state("dataset-group").describes = (IN_PROGRESS,) * 200
    account.script.up()

    assert account.run("up") == 1

    assert "still CREATE IN_PROGRESS after 30m10s (limit 30m00s)" in account.err.getvalue()
    assert "run `python -m provision up` again later" in account.err.getvalue()
    assert account.clock.time <= 30 * 60 + 10


def test_dry_run_prints_the_plan_and_changes_nothing(account: Account) -> None:
    account.script.state("dataset-group").found = ACTIVE
    account.script.discover({"dataset-group": ACTIVE})
    versions = account.parameter_versions()

    assert account.run("up", "--dry-run") == 0, account.err.getvalue()

    output = account.out.getvalue()
    assert "plan (dry run" in output
    assert f"keep     dataset group {BASE}  ACTIVE" in output
    assert f"create   campaign {BASE}-personalized-ranking" in output
    assert f"write    parameter {USER_PERSONALIZATION_ARN}  when ACTIVE" in output
    assert account.parameter_versions() == versions
    assert account.uploaded_keys() == []
    account.stubber.assert_no_pending_responses()
