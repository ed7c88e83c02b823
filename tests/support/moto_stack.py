"""Deploy a synthesized stack to a moto server the way the release path does: assets, then create_stack."""

from __future__ import annotations

from pathlib import Path

import boto3
from careervp_infra.assets import publish_file_assets
from careervp_infra.cloud_assembly import find_stack


def deploy_stack(session: boto3.Session, endpoint_url: str, assembly: Path, stack_name: str) -> None:
    stack = find_stack(assembly, stack_name)
    account = session.client("sts", endpoint_url=endpoint_url).get_caller_identity()["Account"]
    publish_file_assets(stack, session.client("s3", endpoint_url=endpoint_url), account, create_buckets=True)
    cloudformation = session.client("cloudformation", endpoint_url=endpoint_url)
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=stack.template_path.read_text(encoding="utf-8"),
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    cloudformation.get_waiter("stack_create_complete").wait(
        StackName=stack_name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )
