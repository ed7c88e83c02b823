"""Deploy a synthesized stack to a moto server the way the release path does: its assets published by the
release's own `publish_assets`, then create_stack. The asset buckets are made first: a real account has
them from `cdk bootstrap`, and the release path bootstraps an emulator the same way."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from careervp_ci.release.cloudformation import AwsSession, StackFiles, publish_assets


def deploy_stack(session: boto3.Session, endpoint_url: str, assembly: Path, stack_name: str) -> None:
    files = StackFiles.find(assembly, stack_name)
    aws = AwsSession(str(session.region_name), endpoint_url)
    account = aws.resolve_account()
    s3 = aws.client("s3")
    for asset in json.loads(files.assets.read_text(encoding="utf-8")).get("files", {}).values():
        for destination in asset["destinations"].values():
            bucket = destination["bucketName"].replace("${AWS::AccountId}", account)
            s3.create_bucket(Bucket=bucket.replace("${AWS::Region}", aws.region))
    publish_assets(files, aws, log=lambda _line: None)
    cloudformation = session.client("cloudformation", endpoint_url=endpoint_url)
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=files.template.read_text(encoding="utf-8"),
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    cloudformation.get_waiter("stack_create_complete").wait(
        StackName=stack_name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )
