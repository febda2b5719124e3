"""The Amazon Personalize resources of a deployment, as engine stages.

Each resource type is one row of API names (`PersonalizeApi`); `personalize_step` turns a
row plus a name and the create parameters into a step. Order (docs/architecture.md §8): uploads,
schemas, dataset group, datasets, import jobs, event tracker and filters, solutions,
solution versions, campaigns. Steps of one stage run side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from personalization.contracts.filters import FILTERS
from personalization.contracts.parameters import EVENT_TRACKER_ID, FEATURED_ITEM_IDS, filter_parameter
from provision.dataset_files import DATASET_KINDS, Dataset, DatasetKind
from provision.engine import ACTIVE, Context, Found, ParameterSpec, StaticParameter, Step
from provision.settings import USE_CASES, ProvisionSettings, StackOutputs
from provision.storage import upload_step

MINUTE = 60.0
HOUR = 60 * MINUTE


@dataclass(frozen=True)
class PersonalizeApi:
    """The operation and field names of one Personalize resource type."""

    kind: str
    list_op: str
    list_key: str
    parent_param: str | None
    name_field: str | None
    """None: the resource has no name (solution versions): the latest one is the step's."""
    arn_field: str
    create_op: str
    describe_op: str
    describe_key: str
    delete_op: str | None
    has_status: bool = True


SCHEMA = PersonalizeApi(
    "schema", "list_schemas", "schemas", None, "name", "schemaArn",
    "create_schema", "describe_schema", "schema", "delete_schema", has_status=False,
)  # fmt: skip
DATASET_GROUP = PersonalizeApi(
    "dataset group", "list_dataset_groups", "datasetGroups", None, "name", "datasetGroupArn",
    "create_dataset_group", "describe_dataset_group", "datasetGroup", "delete_dataset_group",
)  # fmt: skip
DATASET = PersonalizeApi(
    "dataset", "list_datasets", "datasets", "datasetGroupArn", "name", "datasetArn",
    "create_dataset", "describe_dataset", "dataset", "delete_dataset",
)  # fmt: skip
IMPORT_JOB = PersonalizeApi(
    "import job", "list_dataset_import_jobs", "datasetImportJobs", "datasetArn", "jobName",
    "datasetImportJobArn", "create_dataset_import_job", "describe_dataset_import_job", "datasetImportJob",
    None,
)  # fmt: skip
EVENT_TRACKER = PersonalizeApi(
    "event tracker", "list_event_trackers", "eventTrackers", "datasetGroupArn", "name", "eventTrackerArn",
    "create_event_tracker", "describe_event_tracker", "eventTracker", "delete_event_tracker",
)  # fmt: skip
FILTER = PersonalizeApi(
    "filter", "list_filters", "Filters", "datasetGroupArn", "name", "filterArn",
    "create_filter", "describe_filter", "filter", "delete_filter",
)  # fmt: skip
SOLUTION = PersonalizeApi(
    "solution", "list_solutions", "solutions", "datasetGroupArn", "name", "solutionArn",
    "create_solution", "describe_solution", "solution", "delete_solution",
)  # fmt: skip
SOLUTION_VERSION = PersonalizeApi(
    "solution version", "list_solution_versions", "solutionVersions", "solutionArn", None,
    "solutionVersionArn", "create_solution_version", "describe_solution_version", "solutionVersion", None,
)  # fmt: skip
CAMPAIGN = PersonalizeApi(
    "campaign", "list_campaigns", "campaigns", "solutionArn", "name", "campaignArn",
    "create_campaign", "describe_campaign", "campaign", "delete_campaign",
)  # fmt: skip

CreateParams = Callable[[Context], dict[str, Any]]


@dataclass(frozen=True)
class Limits:
    timeout_seconds: float
    poll_seconds: float


QUICK = Limits(30 * MINUTE, 10)
IMPORT = Limits(4 * HOUR, MINUTE)
TRAINING = Limits(12 * HOUR, MINUTE)
CAMPAIGN_LIMITS = Limits(2 * HOUR, 30)

DOWN_THEN_UP = (
    "delete it (`python -m provision down`, or in the Personalize console), fix the cause above, "
    "then run `python -m provision up` again"
)


def personalize_step(
    client: Any,
    api: PersonalizeApi,
    key: str,
    name: str,
    create_params: CreateParams,
    *,
    parent: str | None = None,
    exact_name: bool = True,
    parameter: ParameterSpec | None = None,
    limits: Limits = QUICK,
    retry_failed: bool = False,
    remedy: str = DOWN_THEN_UP,
) -> Step:
    """One Personalize resource: found by name (by name prefix, or the latest), made with `create_params`."""

    def matches(summary: Mapping[str, Any]) -> bool:
        if api.name_field is None:
            return True
        found_name = summary.get(api.name_field, "")
        return found_name == name if exact_name else found_name.startswith(name)

    def to_found(record: Mapping[str, Any], attempts: int = 1) -> Found:
        status = record.get("status", ACTIVE) if api.has_status else ACTIVE
        return Found(record[api.arn_field], status, record.get("failureReason"), record, attempts)

    def find(context: Context) -> Found | None:
        arguments = {api.parent_param: context[parent]} if api.parent_param and parent else {}
        pages = client.get_paginator(api.list_op).paginate(**arguments)
        summaries = [s for page in pages for s in page.get(api.list_key, []) if matches(s)]
        if not summaries:
            return None
        latest = max(summaries, key=lambda s: s.get("creationDateTime") or 0)
        return to_found(latest, attempts=len(summaries))

    def create(context: Context, previous: Found | None) -> str:
        arguments = create_params(context)
        if api.name_field is not None:
            arguments[api.name_field] = f"{name}-r{previous.attempts}" if previous else name
        response = getattr(client, api.create_op)(**arguments)
        return str(response[api.arn_field])

    def describe(_context: Context, arn: str) -> Found:
        if not api.has_status:
            return Found(arn, ACTIVE)
        response = getattr(client, api.describe_op)(**{api.arn_field: arn})
        return to_found(response[api.describe_key])

    def delete(_context: Context, arn: str) -> None:
        if api.delete_op:
            getattr(client, api.delete_op)(**{api.arn_field: arn})

    return Step(
        key=key,
        label=f"{api.kind} {name}",
        find=find,
        create=create,
        describe=describe,
        delete=delete if api.delete_op else None,
        requires=(parent,) if parent else (),
        parameter=parameter,
        timeout_seconds=limits.timeout_seconds,
        poll_seconds=limits.poll_seconds,
        retry_failed=retry_failed,
        remedy=remedy,
    )


def arn_of(field_name: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda details: str(details[field_name])


def arguments(references: Mapping[str, str] | None = None, **constants: Any) -> CreateParams:
    """Create arguments: constants plus ARNs from the context, e.g. {"datasetArn": "dataset:users"}."""

    def build(context: Context) -> dict[str, Any]:
        return {**constants, **{name: context[key] for name, key in (references or {}).items()}}

    return build


GROUP = "dataset-group"


def build_stages(
    personalize: Any,
    s3: Any,
    settings: ProvisionSettings,
    outputs: StackOutputs,
    dataset: Dataset | None,
) -> list[list[Step]]:
    """Every step of a deployment; `dataset` is None for `status` and `down` (nothing is created then)."""
    base = settings.base_name
    uploads = [
        upload_step(s3, outputs.bucket_name, base, kind, dataset.file(kind.key) if dataset else None)
        for kind in DATASET_KINDS
    ]
    schemas = [
        personalize_step(
            personalize,
            SCHEMA,
            f"schema:{kind.key}",
            f"{base}-{kind.key}",
            arguments(schema=dataset.file(kind.key).schema if dataset else ""),
        )
        for kind in DATASET_KINDS
    ]
    group = personalize_step(personalize, DATASET_GROUP, GROUP, base, arguments())
    datasets = [
        personalize_step(
            personalize,
            DATASET,
            f"dataset:{kind.key}",
            f"{base}-{kind.key}",
            arguments(
                {"datasetGroupArn": GROUP, "schemaArn": f"schema:{kind.key}"}, datasetType=kind.dataset_type
            ),
            parent=GROUP,
        )
        for kind in DATASET_KINDS
    ]
    imports = [_import_step(personalize, base, kind, dataset, outputs) for kind in DATASET_KINDS]
    return [
        uploads,
        schemas,
        [group],
        datasets,
        imports,
        _tracking_steps(personalize, base),
        *_model_stages(personalize, settings),
    ]


def _import_step(
    personalize: Any, base: str, kind: DatasetKind, dataset: Dataset | None, outputs: StackOutputs
) -> Step:
    """Named after the file's content: a changed file is imported again, an unchanged one is not."""
    file = dataset.file(kind.key) if dataset else None

    def create_params(context: Context) -> dict[str, Any]:
        return {
            "datasetArn": context[f"dataset:{kind.key}"],
            "dataSource": {"dataLocation": context[f"upload:{kind.key}"]},
            "roleArn": outputs.role_arn,
            "importMode": "FULL",
        }

    return personalize_step(
        personalize,
        IMPORT_JOB,
        f"import:{kind.key}",
        f"{base}-{kind.key}-{file.digest[:8]}" if file else f"{base}-{kind.key}-",
        create_params,
        parent=f"dataset:{kind.key}",
        exact_name=False,
        limits=IMPORT,
        retry_failed=True,
        remedy=(
            f"fix the cause above (often: the role {outputs.role_arn} cannot read "
            f"s3://{outputs.bucket_name}, or a row does not match the schema), then run "
            "`python -m provision up` again: it starts a new import job"
        ),
    )


def _tracking_steps(personalize: Any, base: str) -> list[Step]:
    tracker = personalize_step(
        personalize,
        EVENT_TRACKER,
        "event-tracker",
        f"{base}-events",
        arguments({"datasetGroupArn": GROUP}),
        parent=GROUP,
        parameter=ParameterSpec(EVENT_TRACKER_ID, arn_of("trackingId")),
    )
    filters = [
        personalize_step(
            personalize,
            FILTER,
            f"filter:{definition.name}",
            f"{base}-{definition.name}",
            arguments({"datasetGroupArn": GROUP}, filterExpression=definition.expression),
            parent=GROUP,
            parameter=ParameterSpec(filter_parameter(definition.name), arn_of("filterArn")),
        )
        for definition in FILTERS.values()
    ]
    return [tracker, *filters]


def _model_stages(personalize: Any, settings: ProvisionSettings) -> list[list[Step]]:
    """Solutions, then their versions (trained side by side), then campaigns."""
    solutions, versions, campaigns = [], [], []
    for use_case in USE_CASES:
        name = f"{settings.base_name}-{use_case.key}"
        solution_key, version_key = f"solution:{use_case.key}", f"version:{use_case.key}"
        solutions.append(
            personalize_step(
                personalize,
                SOLUTION,
                solution_key,
                name,
                arguments(
                    {"datasetGroupArn": GROUP},
                    recipeArn=settings.recipe_for(use_case),
                    eventType=settings.training_event_type,
                    performAutoTraining=False,
                ),
                parent=GROUP,
            )
        )
        versions.append(
            personalize_step(
                personalize,
                SOLUTION_VERSION,
                version_key,
                name,
                arguments({"solutionArn": solution_key}, trainingMode="FULL"),
                parent=solution_key,
                limits=TRAINING,
                retry_failed=True,
                remedy=(
                    "fix the cause above (often: too few interactions of the training event type "
                    f"{settings.training_event_type}), then run `python -m provision up` again: "
                    "it trains a new version"
                ),
            )
        )
        campaigns.append(
            personalize_step(
                personalize,
                CAMPAIGN,
                f"campaign:{use_case.key}",
                name,
                arguments(
                    {"solutionVersionArn": version_key}, minProvisionedTPS=settings.min_provisioned_tps
                ),
                parent=solution_key,
                parameter=ParameterSpec(use_case.parameter, arn_of("campaignArn")),
                limits=CAMPAIGN_LIMITS,
            )
        )
    return [solutions, versions, campaigns]


def static_parameters(dataset: Dataset | None) -> list[StaticParameter]:
    """The featured list (from featured.json), written as a StringList; down resets it like the others."""
    if dataset is None:
        return [StaticParameter(FEATURED_ITEM_IDS, "", string_list=True)]
    return [StaticParameter(FEATURED_ITEM_IDS, ",".join(dataset.featured_item_ids), string_list=True)]
