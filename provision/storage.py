"""S3 (the CSV uploads, as engine steps) and SSM (the parameters the handlers read)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from personalization.contracts.parameters import full_name
from provision.dataset_files import DatasetFile, DatasetKind
from provision.engine import ACTIVE, Context, Found, Step

GET_PARAMETERS_BATCH = 10
"""GetParameters takes at most 10 names per call."""


class ParameterStore:
    """The deployment's SSM parameters under its prefix; writes only values that change."""

    def __init__(self, ssm: Any, prefix: str) -> None:
        self._ssm = ssm
        self._prefix = prefix

    def read(self, names: Sequence[str]) -> dict[str, str | None]:
        values: dict[str, str | None] = dict.fromkeys(names)
        for start in range(0, len(names), GET_PARAMETERS_BATCH):
            batch = [full_name(self._prefix, name) for name in names[start : start + GET_PARAMETERS_BATCH]]
            response = self._ssm.get_parameters(Names=batch)
            for parameter in response["Parameters"]:
                values[parameter["Name"][len(self._prefix.rstrip("/")) + 1 :]] = parameter["Value"]
        return values

    def write(self, name: str, value: str, string_list: bool) -> bool:
        if self.read([name])[name] == value:
            return False
        self._ssm.put_parameter(
            Name=full_name(self._prefix, name),
            Value=value,
            Type="StringList" if string_list else "String",
            Overwrite=True,
        )
        return True


def upload_step(s3: Any, bucket: str, base_name: str, kind: DatasetKind, file: DatasetFile | None) -> Step:
    """The CSV in the data bucket, under a key named after its content: an unchanged file is sent once.

    Without a dataset (status, down) the step finds the latest upload of that kind.
    """
    key_prefix = f"{base_name}/{kind.key}-"
    wanted_key = f"{key_prefix}{file.digest[:16]}.csv" if file else None

    def find(_context: Context) -> Found | None:
        objects = _list_objects(s3, bucket, key_prefix)
        matches = [o for o in objects if wanted_key is None or o["Key"] == wanted_key]
        if not matches:
            return None
        latest = max(matches, key=lambda o: o["LastModified"])
        return Found(f"s3://{bucket}/{latest['Key']}", ACTIVE)

    def create(_context: Context, _previous: Found | None) -> str:
        if file is None or wanted_key is None:
            raise ValueError(f"uploading {kind.key} needs the dataset")
        s3.upload_file(str(file.path), bucket, wanted_key)
        return f"s3://{bucket}/{wanted_key}"

    def describe(_context: Context, arn: str) -> Found:
        return Found(arn, ACTIVE)

    def delete(_context: Context, _arn: str) -> None:
        for item in _list_objects(s3, bucket, key_prefix):
            s3.delete_object(Bucket=bucket, Key=item["Key"])

    return Step(
        key=f"upload:{kind.key}",
        label=f"upload {kind.key}.csv",
        find=find,
        create=create,
        describe=describe,
        delete=delete,
    )


def _list_objects(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return [item for page in pages for item in page.get("Contents", [])]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchBucket":
            return []
        raise
