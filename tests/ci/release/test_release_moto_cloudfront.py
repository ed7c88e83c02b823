"""moto 5.2.5's CloudFormation skips CloudFront types, so a stack reading its distribution's domain (the SPA
origin the API allows) failed to create on the emulator. `moto_cloudfront_distributions` registers both
types through moto's CloudFront backend; this creates, updates and deletes such a stack on a real moto
server (without the fix, the create fails)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from careervp_ci.release.emulator import EMULATOR_CREDENTIALS
from support.moto_server import clean_moto_server

COMMENT = "careervp-test-frontend-distribution"


def template(description: str) -> str:
    """A site bucket, its origin access control and a distribution, as the stack declares them (trimmed)."""
    return json.dumps(
        {
            "Description": description,
            "Resources": {
                "Site": {"Type": "AWS::S3::Bucket"},
                "Access": {
                    "Type": "AWS::CloudFront::OriginAccessControl",
                    "Properties": {
                        "OriginAccessControlConfig": {
                            "Name": "careervp-test-oac",
                            "OriginAccessControlOriginType": "s3",
                            "SigningBehavior": "always",
                            "SigningProtocol": "sigv4",
                        }
                    },
                },
                "Cdn": {
                    "Type": "AWS::CloudFront::Distribution",
                    "Properties": {
                        "DistributionConfig": {
                            "Comment": COMMENT,
                            "Enabled": True,
                            "DefaultRootObject": "index.html",
                            "Origins": [
                                {
                                    "Id": "site",
                                    "DomainName": {"Fn::GetAtt": ["Site", "RegionalDomainName"]},
                                    "OriginAccessControlId": {"Fn::GetAtt": ["Access", "Id"]},
                                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                                }
                            ],
                            "DefaultCacheBehavior": {
                                "TargetOriginId": "site",
                                "ViewerProtocolPolicy": "redirect-to-https",
                            },
                        }
                    },
                },
            },
            "Outputs": {
                "Origin": {"Value": {"Fn::Join": ["", ["https://", {"Fn::GetAtt": ["Cdn", "DomainName"]}]]}},
                "DistributionId": {"Value": {"Ref": "Cdn"}},
            },
        }
    )


@pytest.fixture
def clients() -> Iterator[tuple[Any, Any]]:
    with clean_moto_server() as endpoint:
        made = [
            boto3.client(
                service,
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id=EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            )
            for service in ("cloudformation", "cloudfront")
        ]
        yield made[0], made[1]


def outputs(cloudformation: Any, name: str) -> dict[str, str]:
    (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def distributions(cloudfront: Any) -> list[dict[str, Any]]:
    return list(cloudfront.list_distributions()["DistributionList"].get("Items", []))


def test_a_stack_reading_its_distributions_domain_creates_keeps_it_on_update_and_deletes_it(
    clients: tuple[Any, Any],
) -> None:
    cloudformation, cloudfront = clients
    cloudformation.create_stack(StackName="cdn", TemplateBody=template("first"))
    created = outputs(cloudformation, "cdn")
    (distribution,) = distributions(cloudfront)
    assert distribution["Comment"] == COMMENT
    assert created == {
        "Origin": f"https://{distribution['DomainName']}",
        "DistributionId": distribution["Id"],
    }
    assert len(cloudfront.list_origin_access_controls()["OriginAccessControlList"]["Items"]) == 1

    cloudformation.update_stack(StackName="cdn", TemplateBody=template("second"))
    assert outputs(cloudformation, "cdn") == created
    assert [item["Id"] for item in distributions(cloudfront)] == [distribution["Id"]]

    cloudformation.delete_stack(StackName="cdn")
    assert distributions(cloudfront) == []
    assert cloudfront.list_origin_access_controls()["OriginAccessControlList"].get("Items", []) == []
