"""Scripts the Personalize calls of a provisioning run on a botocore Stubber, resource by resource.

A test says what state each resource is in (absent, in progress, ACTIVE, failed) and how its
describes go; `PersonalizeScript` queues the calls the run must make, in order, with their
exact parameters, and answers with responses the real service model validates. A call the
run makes that the script did not expect (say, a create on a second run) fails the test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore import xform_name
from botocore.stub import Stubber

from personalization.contracts.filters import FILTERS
from provision.dataset_files import Dataset
from provision.resources import (
    CAMPAIGN,
    DATASET,
    DATASET_GROUP,
    EVENT_TRACKER,
    FILTER,
    IMPORT_JOB,
    SCHEMA,
    SOLUTION,
    SOLUTION_VERSION,
    PersonalizeApi,
)

ACCOUNT_ARN = "arn:aws:personalize:us-east-1:111122223333"
BASE = "retail-personalization"
BUCKET = "data-bucket"
ROLE_ARN = "arn:aws:iam::111122223333:role/PersonalizeRole"
KINDS = (("users", "Users"), ("items", "Items"), ("interactions", "Interactions"))
USE_CASES = {
    "user-personalization": "arn:aws:personalize:::recipe/aws-user-personalization-v2",
    "related-items": "arn:aws:personalize:::recipe/aws-sims",
    "personalized-ranking": "arn:aws:personalize:::recipe/aws-personalized-ranking-v2",
}
ACTIVE = "ACTIVE"
IN_PROGRESS = "CREATE IN_PROGRESS"
FAILED = "CREATE FAILED"
CREATED_AT = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Ref:
    """In expected create parameters: the ARN of another resource, as it is when the call is made."""

    key: str


@dataclass(frozen=True)
class Resource:
    key: str
    api: PersonalizeApi
    name: str
    """The name the run must use (for solution versions, the solution's)."""
    resource_path: str
    parent: str | None
    create_params: Mapping[str, Any]
    has_parameter: bool = False
    retry_failed: bool = False

    def arn(self, attempt: int = 0) -> str:
        suffix = f"-r{attempt}" if attempt else ""
        return f"{ACCOUNT_ARN}:{self.resource_path}{suffix}"


def resources(dataset: Dataset) -> list[list[Resource]]:
    """The resources a run must create, stage by stage, with the parameters each create must carry."""
    group = Resource("dataset-group", DATASET_GROUP, BASE, f"dataset-group/{BASE}", None, {"name": BASE})
    group_arn = Ref(group.key)
    schemas, datasets, imports = [], [], []
    for kind, dataset_type in KINDS:
        file = dataset.file(kind)
        name = f"{BASE}-{kind}"
        schema = Resource(
            f"schema:{kind}", SCHEMA, name, f"schema/{name}", None, {"name": name, "schema": file.schema}
        )
        data = Resource(
            f"dataset:{kind}",
            DATASET,
            name,
            f"dataset/{BASE}/{dataset_type.upper()}",
            group.key,
            {
                "name": name,
                "datasetGroupArn": group_arn,
                "schemaArn": Ref(schema.key),
                "datasetType": dataset_type,
            },
        )
        job = f"{BASE}-{kind}-{file.digest[:8]}"
        imports.append(
            Resource(
                f"import:{kind}",
                IMPORT_JOB,
                job,
                f"dataset-import-job/{job}",
                data.key,
                {
                    "jobName": job,
                    "datasetArn": Ref(data.key),
                    "dataSource": {"dataLocation": f"s3://{BUCKET}/{BASE}/{kind}-{file.digest[:16]}.csv"},
                    "roleArn": ROLE_ARN,
                    "importMode": "FULL",
                },
                retry_failed=True,
            )
        )
        schemas.append(schema)
        datasets.append(data)
    tracking = [
        Resource(
            "event-tracker",
            EVENT_TRACKER,
            f"{BASE}-events",
            f"event-tracker/{BASE}-events",
            group.key,
            {"name": f"{BASE}-events", "datasetGroupArn": group_arn},
            has_parameter=True,
        ),
        *(
            Resource(
                f"filter:{f.name}",
                FILTER,
                f"{BASE}-{f.name}",
                f"filter/{BASE}-{f.name}",
                group.key,
                {"name": f"{BASE}-{f.name}", "datasetGroupArn": group_arn, "filterExpression": f.expression},
                has_parameter=True,
            )
            for f in FILTERS.values()
        ),
    ]
    solutions, versions, campaigns = [], [], []
    for use_case, recipe in USE_CASES.items():
        name = f"{BASE}-{use_case}"
        solution = Resource(
            f"solution:{use_case}",
            SOLUTION,
            name,
            f"solution/{name}",
            group.key,
            {
                "name": name,
                "datasetGroupArn": group_arn,
                "recipeArn": recipe,
                "eventType": "ProductViewed",
                "performAutoTraining": False,
            },
        )
        version = Resource(
            f"version:{use_case}",
            SOLUTION_VERSION,
            name,
            f"solution/{name}/version",
            solution.key,
            {"solutionArn": Ref(solution.key), "trainingMode": "FULL"},
            retry_failed=True,
        )
        campaigns.append(
            Resource(
                f"campaign:{use_case}",
                CAMPAIGN,
                name,
                f"campaign/{name}",
                solution.key,
                {"name": name, "solutionVersionArn": Ref(version.key), "minProvisionedTPS": 1},
                has_parameter=True,
            )
        )
        solutions.append(solution)
        versions.append(version)
    return [schemas, [group], datasets, imports, tracking, solutions, versions, campaigns]


@dataclass
class State:
    """One resource as the run will find it, and how its describes go after that."""

    found: str | None = None
    """Status in the list call (None: absent)."""
    describes: Sequence[str] = (ACTIVE,)
    """Statuses the describe calls return, one per poll round, until ACTIVE or failed."""
    failure_reason: str = "the service's reason"
    attempts: int = 1


@dataclass
class PersonalizeScript:
    stubber: Stubber
    stages: list[list[Resource]]
    states: dict[str, State] = field(default_factory=dict)
    attempts_made: dict[str, int] = field(default_factory=dict)

    def state(self, key: str) -> State:
        return self.states.setdefault(key, State())

    # --- up -------------------------------------------------------------------------------

    def up(self) -> None:
        """Queue the calls of `up`, stage by stage; stops after the first failure, as the run does."""
        for stage in self.stages:
            pending: list[Resource] = []
            for resource in stage:
                state = self.state(resource.key)
                self.listed(resource, state.found, state.attempts)
                if state.found == FAILED and not resource.retry_failed:
                    return
                if state.found is None or state.found == FAILED:
                    attempt = state.attempts if state.found == FAILED else 0
                    self._create(resource, attempt)
                    pending.append(resource)
                elif state.found != ACTIVE or resource.has_parameter:
                    pending.append(resource)
            if not self._poll(pending):
                return

    def _poll(self, pending: list[Resource]) -> bool:
        rounds = max((len(self._describes(r)) for r in pending), default=0)
        for index in range(rounds):
            for resource in pending:
                statuses = self._describes(resource)
                if index < len(statuses):
                    self._describe(resource, statuses[index])
                    if statuses[index] == FAILED:
                        return False
        return True

    def _describes(self, resource: Resource) -> Sequence[str]:
        if not resource.api.has_status:
            return ()
        return self.state(resource.key).describes

    # --- status and down ------------------------------------------------------------------

    def discover(self, present: Mapping[str, str]) -> None:
        """Queue the list calls of a read-only pass; `present`: key -> status of what exists."""
        for resource in self._all():
            if resource.parent is None or resource.parent in present:
                self.listed(resource, present.get(resource.key))

    def down(self, present: Mapping[str, str], still_deleting: Mapping[str, int] | None = None) -> None:
        """Queue `down`: the discovery pass, then, stage by stage in reverse, the deletes and the
        gone checks (a list call per round; `still_deleting`: key -> rounds it is still listed)."""
        self.discover(present)
        rounds_listed = still_deleting or {}
        for stage in reversed(self.stages):
            doomed = [r for r in reversed(stage) if r.key in present and r.api.delete_op]
            for resource in doomed:
                self.stubber.add_response(
                    str(resource.api.delete_op), {}, {resource.api.arn_field: resource.arn()}
                )
            rounds = 1 + max((rounds_listed.get(r.key, 0) for r in doomed), default=0)
            for index in range(rounds):
                for resource in doomed:
                    listed_for = rounds_listed.get(resource.key, 0)
                    if index < listed_for:
                        self.listed(resource, "DELETE IN_PROGRESS")
                    elif index == listed_for:
                        self.listed(resource, None)

    # --- calls ----------------------------------------------------------------------------

    def _all(self) -> Iterable[Resource]:
        return (resource for stage in self.stages for resource in stage)

    def _parent_arn(self, resource: Resource) -> dict[str, str]:
        if resource.parent is None or resource.api.parent_param is None:
            return {}
        return {resource.api.parent_param: self.current_arn(resource.parent)}

    def current_arn(self, key: str) -> str:
        """The ARN the run knows for `key`: the one created here, else the latest one listed."""
        resource = next(r for r in self._all() if r.key == key)
        return resource.arn(self._current_attempt(key))

    def _current_attempt(self, key: str) -> int:
        return self.attempts_made.get(key, self.state(key).attempts - 1)

    def listed(self, resource: Resource, status: str | None, attempts: int = 1) -> None:
        records = (
            []
            if status is None
            else [
                self._fit(
                    self._record(resource, status, attempt), resource.api.list_op, resource.api.list_key
                )
                for attempt in range(attempts)
            ]
        )
        self.stubber.add_response(
            resource.api.list_op, {resource.api.list_key: records}, self._parent_arn(resource)
        )

    def _create(self, resource: Resource, attempt: int) -> None:
        params = {
            name: self.current_arn(value.key) if isinstance(value, Ref) else value
            for name, value in resource.create_params.items()
        }
        if attempt and resource.api.name_field:
            params[resource.api.name_field] = f"{resource.name}-r{attempt}"
        response = {resource.api.arn_field: resource.arn(attempt)}
        if resource.api is EVENT_TRACKER:
            response["trackingId"] = "tracking-id"
        self.stubber.add_response(resource.api.create_op, response, params)
        self.attempts_made[resource.key] = attempt

    def _describe(self, resource: Resource, status: str) -> None:
        attempt = self._current_attempt(resource.key)
        record = self._record(resource, status, attempt)
        self.stubber.add_response(
            resource.api.describe_op,
            {
                resource.api.describe_key: self._fit(
                    record, resource.api.describe_op, resource.api.describe_key
                )
            },
            {resource.api.arn_field: resource.arn(attempt)},
        )

    def _record(self, resource: Resource, status: str, attempt: int) -> dict[str, Any]:
        record: dict[str, Any] = {
            resource.api.arn_field: resource.arn(attempt),
            "creationDateTime": CREATED_AT + dt.timedelta(minutes=attempt),
        }
        if resource.api.name_field:
            record[resource.api.name_field] = f"{resource.name}-r{attempt}" if attempt else resource.name
        if resource.api.has_status:
            record["status"] = status
        if status == FAILED:
            record["failureReason"] = self.state(resource.key).failure_reason
        if resource.api is EVENT_TRACKER:
            record["trackingId"] = "tracking-id"
        return record

    def _fit(self, record: dict[str, Any], operation: str, key: str) -> dict[str, Any]:
        """Keep the fields the operation's output shape has (list summaries carry fewer than describes)."""
        model = self.stubber.client.meta.service_model
        name = next(name for name in model.operation_names if xform_name(name) == operation)
        member: Any = model.operation_model(name).output_shape.members[key]  # type: ignore[union-attr]
        fields = member.member.members if member.type_name == "list" else member.members
        return {name: value for name, value in record.items() if name in fields}
