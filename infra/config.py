"""The SSM parameters of docs/architecture.md §6, created as `NONE` ("not configured").

A fresh deployment therefore serves the fallback until provisioning writes the real
values (`python -m provision up`). CloudFormation leaves values written later alone
as long as these definitions do not change.
"""

from __future__ import annotations

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
    def __init__(self, scope: Construct, construct_id: str, *, prefix: str) -> None:
        super().__init__(scope, construct_id)
        self.prefix = prefix
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
                    string_value=NOT_CONFIGURED,
                    description=description,
                )
