"""An upstream-style fix to moto 5.2.5 (the version uv.lock pins) so the emulator's CloudFormation creates the
function versions and aliases of a stack that shifts traffic (`careervp_infra.traffic`); `install()` applies
it when the project starts an emulator (`release/emulator.py`).

moto's `moto/awslambda/models.py` `LambdaVersion` publishes a version from a template but keeps neither its
ARN (`Ref` answers nothing) nor answers `Fn::GetAtt Version`, and no model handles `AWS::Lambda::Alias`, so
`moto/cloudformation/parsing.py` `resource_class_from_type` skips it and every `Ref` to it is None. The API's
`AWS::Lambda::Permission` on the alias then fails (`get_function(None)`), and the stack with it.

The fix, as it would read upstream: `LambdaVersion` keeps the published version's ARN (its `Ref`,
as CloudFormation documents) and number (`Fn::GetAtt Version`), and an `AWS::Lambda::Alias` model creates,
updates and deletes the alias through the Lambda backend's own `create_alias`/`update_alias`/`delete_alias`.
CodeDeploy stays outside moto's CloudFormation: what an alias's `CodeDeployLambdaAliasUpdate` would do is
not run there (`careervp_infra.verify.blind_spots`). Not fixed here: on a stack update moto creates added
resources before it modifies changed ones (`ResourceMap.update`), so a new version is published from the
function as it was, and which code the alias serves after an update is not verifiable on the emulator.
"""

from __future__ import annotations

from typing import Any, cast

from moto.awslambda.models import LambdaVersion, lambda_backends
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel


def _backend(account_id: str, region_name: str) -> Any:
    return lambda_backends[account_id][region_name]


def _create_version(
    cls: type[LambdaVersion],
    /,
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> LambdaVersion:
    """moto's `LambdaVersion.create_from_cloudformation_json`, keeping the version's ARN."""
    function_name = cloudformation_json["Properties"]["FunctionName"]
    published = _backend(account_id, region_name).publish_version(function_name)
    version: LambdaVersion = cast(Any, LambdaVersion)({"Version": published.version})
    version.arn = published.function_arn  # type: ignore[attr-defined]
    return version


def _version_ref(self: LambdaVersion) -> str:
    return str(self.arn)  # type: ignore[attr-defined]


def _version_has_attribute(cls: type[LambdaVersion], attribute: str) -> bool:
    return attribute == "Version"


def _version_attribute(self: LambdaVersion, attribute_name: str) -> Any:
    if attribute_name == "Version":
        return str(self.version)
    raise UnformattedGetAttTemplateException()


class LambdaAliasModel(CloudFormationModel):
    """`AWS::Lambda::Alias`: `Ref` is the alias ARN; `FunctionVersion` may change in place."""

    def __init__(self, arn: str, name: str, function_name: str) -> None:
        self.arn = arn
        self.name = name
        self.function_name = function_name

    @staticmethod
    def cloudformation_type() -> str:
        # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-alias.html
        return "AWS::Lambda::Alias"

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LambdaAliasModel:
        properties = cloudformation_json["Properties"]
        alias = _backend(account_id, region_name).create_alias(
            name=properties["Name"],
            function_name=properties["FunctionName"],
            function_version=str(properties["FunctionVersion"]),
            description=properties.get("Description", ""),
            routing_config=properties.get("RoutingConfig"),
        )
        return cls(alias.arn, alias.name, properties["FunctionName"])

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: LambdaAliasModel,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> LambdaAliasModel:
        properties = cloudformation_json["Properties"]
        _backend(account_id, region_name).update_alias(
            name=original_resource.name,
            function_name=original_resource.function_name,
            function_version=str(properties["FunctionVersion"]),
            description=properties.get("Description", ""),
            routing_config=properties.get("RoutingConfig"),
        )
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        properties = cloudformation_json["Properties"]
        _backend(account_id, region_name).delete_alias(properties["Name"], properties["FunctionName"])

    def is_created(self) -> bool:
        return True


UPSTREAM_CREATE_VERSION = vars(LambdaVersion)["create_from_cloudformation_json"]
PATCHED_VERSION_MEMBERS = ("physical_resource_id", "get_cfn_attribute", "has_cfn_attr")
"""What `install` adds to `LambdaVersion` (moto's own class defines none of them)."""


def install() -> None:
    """Patch moto in this process (idempotent): its CloudFormation creates versions and aliases."""
    patches: dict[str, Any] = {
        "create_from_cloudformation_json": classmethod(_create_version),
        "physical_resource_id": property(_version_ref),
        "get_cfn_attribute": _version_attribute,
        "has_cfn_attr": classmethod(_version_has_attribute),
    }
    for name, member in patches.items():
        setattr(LambdaVersion, name, member)
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
