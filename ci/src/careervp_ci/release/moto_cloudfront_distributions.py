"""An upstream-style fix to moto 5.2.5 (the version uv.lock pins) so the emulator's CloudFormation creates the
stack's CloudFront distribution and its origin access control (`careervp_infra.frontend`); `install()`
applies it when the project starts an emulator (`release/emulator.py`).

moto's CloudFront backend has both, but no model handles `AWS::CloudFront::Distribution` or
`AWS::CloudFront::OriginAccessControl`, so `moto/cloudformation/parsing.py` skips them, and a template that
reads the distribution's domain (`Fn::GetAtt DomainName`: the SPA origin the API allows in CORS,
`careervp_infra.service_stack`) fails to create ("references undefined resource"); so does the distribution
itself once modelled, as it reads the access control's `Id`. The emulator deploys the very template AWS
gets, so it must resolve both.

The fix, as it would read upstream, kept to what moto's backend holds: each model registers its resource
through the backend's own create call (a distribution with the template's comment, root object and first
origin: moto's CloudFront takes no cache or response headers policy), answers `Ref` and `Fn::GetAtt Id`
with its id (and a distribution's DomainName), keeps it on an update, and deletes it with the stack. The
distribution serves nothing: moto has no CDN (`careervp_infra.verify.blind_spots`).
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudfront.models import cloudfront_backends
from moto.core.common_models import CloudFormationModel
from moto.utilities.utils import get_partition


def _backend(account_id: str, region_name: str) -> Any:
    return cloudfront_backends[account_id][get_partition(region_name)]


def _backend_config(resource_name: str, declared: dict[str, Any]) -> dict[str, Any]:
    """The template's `DistributionConfig` as moto's backend takes one: its first origin, no policies."""
    origin = declared["Origins"][0]
    return {
        "CallerReference": resource_name,
        "Comment": declared.get("Comment", ""),
        "Enabled": declared.get("Enabled", True),
        "DefaultRootObject": declared.get("DefaultRootObject", ""),
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": origin["Id"],
                    "DomainName": origin["DomainName"],
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": origin["Id"],
            "ViewerProtocolPolicy": declared["DefaultCacheBehavior"]["ViewerProtocolPolicy"],
        },
    }


class _CloudFrontResource:
    """A resource moto's CloudFront backend holds by id: `Ref` and `Fn::GetAtt Id` are that id; each type
    says how it is registered (`_register`) and removed (`_remove`). A mixin: moto finds models among
    `CloudFormationModel`'s direct subclasses only."""

    ATTRIBUTES: tuple[str, ...] = ("Id",)

    def __init__(self, resource_id: str, **attributes: str) -> None:
        self.resource_id = resource_id
        self.attributes = {"Id": resource_id, **attributes}

    @classmethod
    def _register(cls, resource_name: str, properties: dict[str, Any], backend: Any) -> _CloudFrontResource:
        raise NotImplementedError

    @classmethod
    def _remove(cls, physical_id: str, backend: Any) -> None:
        raise NotImplementedError

    @property
    def physical_resource_id(self) -> str:
        return self.resource_id

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name in self.attributes:
            return self.attributes[attribute_name]
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> _CloudFrontResource:
        backend = _backend(account_id, region_name)
        return cls._register(resource_name, cloudformation_json["Properties"], backend)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: _CloudFrontResource,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> _CloudFrontResource:
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        # moto names the resource by its physical id when it deletes a stack
        cls._remove(resource_name, _backend(account_id, region_name))

    def is_created(self) -> bool:
        return True


class OriginAccessControlModel(_CloudFrontResource, CloudFormationModel):
    """`AWS::CloudFront::OriginAccessControl`, registered through the backend."""

    @staticmethod
    def cloudformation_type() -> str:
        # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudfront-originaccesscontrol.html
        return "AWS::CloudFront::OriginAccessControl"

    @classmethod
    def _register(cls, resource_name: str, properties: dict[str, Any], backend: Any) -> _CloudFrontResource:
        return cls(backend.create_origin_access_control(properties["OriginAccessControlConfig"]).id)

    @classmethod
    def _remove(cls, physical_id: str, backend: Any) -> None:
        backend.origin_access_controls.pop(physical_id, None)


class DistributionModel(_CloudFrontResource, CloudFormationModel):
    """`AWS::CloudFront::Distribution`: `Fn::GetAtt` answers DomainName and Id."""

    ATTRIBUTES = ("DomainName", "Id")

    @staticmethod
    def cloudformation_type() -> str:
        # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudfront-distribution.html
        return "AWS::CloudFront::Distribution"

    @classmethod
    def _register(cls, resource_name: str, properties: dict[str, Any], backend: Any) -> _CloudFrontResource:
        config = _backend_config(resource_name, properties["DistributionConfig"])
        distribution, _, _ = backend.create_distribution(config, tags=[])
        return cls(distribution.distribution_id, DomainName=distribution.domain_name)

    @classmethod
    def _remove(cls, physical_id: str, backend: Any) -> None:
        if physical_id in backend.distributions:
            backend.delete_distribution(physical_id, if_match=True)


def install() -> None:
    """Make moto's CloudFormation see the models (idempotent: a class registers itself on import)."""
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
