"""The SSM parameters of docs/architecture.md §6, created as `NONE` ("not configured").

A fresh deployment therefore serves the fallback until provisioning writes the real
values (`python -m provision up`). CloudFormation leaves values written later alone
as long as these definitions do not change. A value the deployment sets itself (`values`:
the experiments document of `-c experimentsFile`) replaces `NONE`; a deploy that changes it
overwrites what was written by hand.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.naming import pascal_case
from personalization.contracts.parameters import (
    NOT_CONFIGURED,
    STRING_LIST_PARAMETERS,
    all_parameters,
    full_name,
)


class ConfigParameters(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, prefix: str, values: Mapping[str, str] | None = None
    ) -> None:
        """`values`: the value of a String parameter by relative name, where not `NONE`."""
        super().__init__(scope, construct_id)
        self.prefix = prefix
        values = dict(values or {})
        string_parameters = set(all_parameters()) - set(STRING_LIST_PARAMETERS)
        unknown = sorted(set(values) - string_parameters)
        if unknown:
            raise ValueError(f"no String parameter of that name: {', '.join(unknown)}")
        self.parameters: dict[str, ssm.StringParameter | ssm.StringListParameter] = {}
        for relative_name in all_parameters():
            name = full_name(prefix, relative_name)
            description = f"Retail personalization: {relative_name} ({NOT_CONFIGURED} = not configured)"
            construct_id_ = pascal_case(relative_name)
            if relative_name in STRING_LIST_PARAMETERS:
                self.parameters[relative_name] = ssm.StringListParameter(
                    self,
                    construct_id_,
                    parameter_name=name,
                    string_list_value=[NOT_CONFIGURED],
                    description=description,
                )
            else:
                self.parameters[relative_name] = ssm.StringParameter(
                    self,
                    construct_id_,
                    parameter_name=name,
                    string_value=values.get(relative_name, NOT_CONFIGURED),
                    description=description,
                )
