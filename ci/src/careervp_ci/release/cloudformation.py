"""Deploying one stack of the cloud assembly with boto3, the same way against AWS and the emulator.

No re-synth and no CDK CLI: the file assets the assembly lists are published to the bootstrap bucket
(directories zipped deterministically), then the template goes to CloudFormation with direct
create_stack / update_stack (change sets trip the emulator on API Gateway ordering). Waits poll with a
bounded, growing interval and log every retry; calls that race eventual consistency retry the same way.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import boto3
from careervp_infra.cloud_assembly import find_stack

from careervp_ci.artifact import deterministic_zip

Log = Callable[[str], None]

TEMPLATE_BODY_LIMIT = 51_200
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
DONE_OK = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
DONE_FAILED = {
    "CREATE_FAILED",
    "ROLLBACK_COMPLETE",
    "ROLLBACK_FAILED",
    "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_FAILED",
    "DELETE_FAILED",
    "UPDATE_FAILED",
}


class DeployError(Exception):
    """CloudFormation did not reach a good state; `events` holds the stack's events for the report."""

    def __init__(
        self, message: str, events: list[dict[str, Any]] | None = None, created: bool = False
    ) -> None:
        super().__init__(message)
        self.events = events or []
        self.created = created


@dataclass
class AwsSession:
    """boto3 clients bound to one endpoint and region (the real AWS endpoint when `endpoint` is None)."""

    region: str
    endpoint: str | None = None
    credentials: dict[str, str] = field(default_factory=dict)
    account: str = ""
    _session: Any = None

    def client(self, service: str) -> Any:
        if self._session is None:
            self._session = boto3.session.Session(
                region_name=self.region,
                aws_access_key_id=self.credentials.get("AWS_ACCESS_KEY_ID"),
                aws_secret_access_key=self.credentials.get("AWS_SECRET_ACCESS_KEY"),
            )
        return self._session.client(service, endpoint_url=self.endpoint)

    def resolve_account(self) -> str:
        if not self.account:
            self.account = str(self.client("sts").get_caller_identity()["Account"])
        return self.account


def retry[T](
    action: Callable[[], T], *, what: str, log: Log, attempts: int = 6, first_delay: float = 0.5
) -> T:
    """Call `action`, retrying transient failures with doubling delays; each retry is logged."""
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except Exception as error:  # botocore raises many types for "not yet consistent"
            if attempt == attempts:
                raise
            log(f"retry {attempt}/{attempts - 1} of {what} in {delay:.1f}s: {error}")
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class StackFiles:
    """A stack's template and asset manifest inside the cloud assembly."""

    stack_name: str
    template: Path
    assets: Path

    @classmethod
    def find(cls, assembly: Path, stack_name: str) -> StackFiles:
        stack = find_stack(assembly, stack_name)
        return cls(
            stack_name, stack.template_path, stack.template_path.parent / f"{stack.artifact_id}.assets.json"
        )

    def template_dict(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.template.read_text(encoding="utf-8"))
        return loaded


def _substitute(text: str, session: AwsSession) -> str:
    return (
        text.replace("${AWS::AccountId}", session.account)
        .replace("${AWS::Region}", session.region)
        .replace("${AWS::Partition}", "aws")
    )


def publish_assets(files: StackFiles, session: AwsSession, log: Log) -> dict[str, tuple[str, str]]:
    """Upload every file asset not already there; returns asset id -> (bucket, key)."""
    manifest = json.loads(files.assets.read_text(encoding="utf-8"))
    s3 = session.client("s3")
    published: dict[str, tuple[str, str]] = {}
    for asset_id, asset in manifest.get("files", {}).items():
        source = files.assets.parent / asset["source"]["path"]
        for destination in asset["destinations"].values():
            bucket = _substitute(destination["bucketName"], session)
            key = _substitute(destination["objectKey"], session)
            published[asset_id] = (bucket, key)
            try:
                s3.head_object(Bucket=bucket, Key=key)
                continue
            except s3.exceptions.ClientError:
                pass
            body = (
                deterministic_zip(source)
                if asset["source"].get("packaging") == "zip"
                else source.read_bytes()
            )
            upload: Callable[[], Any] = partial(s3.put_object, Bucket=bucket, Key=key, Body=body)
            retry(upload, what=f"upload {key}", log=log)
            log(f"published asset {key} ({len(body)} bytes) to {bucket}")
    return published


def _template_argument(
    files: StackFiles, published: dict[str, tuple[str, str]], session: AwsSession
) -> dict[str, str]:
    body = files.template.read_text(encoding="utf-8")
    if len(body.encode()) <= TEMPLATE_BODY_LIMIT:
        return {"TemplateBody": body}
    for bucket, key in published.values():
        if key.endswith(".json"):
            return {"TemplateURL": f"https://s3.{session.region}.amazonaws.com/{bucket}/{key}"}
    raise DeployError(
        f"{files.template.name} exceeds {TEMPLATE_BODY_LIMIT} bytes and has no template asset to upload"
    )


def describe(session: AwsSession, stack_name: str) -> dict[str, Any] | None:
    cfn = session.client("cloudformation")
    try:
        stacks = cfn.describe_stacks(StackName=stack_name)["Stacks"]
    except cfn.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    stack: dict[str, Any] | None = stacks[0] if stacks else None
    return stack


def events(session: AwsSession, stack_name: str) -> list[dict[str, Any]]:
    try:
        found: list[dict[str, Any]] = session.client("cloudformation").describe_stack_events(
            StackName=stack_name
        )["StackEvents"]
    except Exception:  # a report of what could be read; the stack may be gone
        return []
    return found


def outputs(stack: dict[str, Any]) -> dict[str, str]:
    return {item["OutputKey"]: item["OutputValue"] for item in stack.get("Outputs", [])}


def wait(
    session: AwsSession, stack_name: str, log: Log, *, timeout: float = 900, first_delay: float = 0.25
) -> dict[str, Any]:
    """Poll until the stack settles; returns it when good, raises DeployError with its events when not."""
    deadline = time.monotonic() + timeout
    delay, polls = first_delay, 0
    while True:
        stack = describe(session, stack_name)
        status = stack["StackStatus"] if stack else "DELETE_COMPLETE"
        if status in DONE_OK and stack is not None:
            return stack
        if status in DONE_FAILED or status == "DELETE_COMPLETE":
            reason = stack.get("StackStatusReason", "") if stack else "the stack is gone"
            raise DeployError(f"{stack_name} ended in {status}: {reason}", events(session, stack_name))
        if time.monotonic() > deadline:
            raise DeployError(
                f"{stack_name} still {status} after {timeout:.0f}s", events(session, stack_name)
            )
        polls += 1
        log(f"waiting for {stack_name}: {status} (poll {polls}, next in {delay:.2f}s)")
        time.sleep(delay)
        delay = min(delay * 2, 15.0)


def deploy_stack(files: StackFiles, session: AwsSession, log: Log) -> dict[str, Any]:
    """Create or update the stack from the assembly and wait for it; returns the settled stack."""
    published = publish_assets(files, session, log)
    template = _template_argument(files, published, session)
    cfn = session.client("cloudformation")
    existing = describe(session, files.stack_name)
    if existing and existing["StackStatus"] == "ROLLBACK_COMPLETE":
        log(f"{files.stack_name} is in ROLLBACK_COMPLETE from an earlier failed create; deleting it first")
        delete_stack(session, files.stack_name, log)
        existing = None
    arguments = {"StackName": files.stack_name, "Capabilities": CAPABILITIES, **template}
    if existing is None:
        log(f"creating {files.stack_name}")
        cfn.create_stack(**arguments)
        try:
            return wait(session, files.stack_name, log)
        except DeployError as error:
            error.created = True
            raise
    log(f"updating {files.stack_name}")
    try:
        cfn.update_stack(**arguments)
    except cfn.exceptions.ClientError as error:
        if "No updates are to be performed" in str(error):
            log(f"{files.stack_name} already matches the artifact; nothing to update")
            return existing
        raise DeployError(f"update of {files.stack_name} was rejected: {error}") from error
    return wait(session, files.stack_name, log)


def delete_stack(session: AwsSession, stack_name: str, log: Log) -> None:
    session.client("cloudformation").delete_stack(StackName=stack_name)
    deadline = time.monotonic() + 600
    delay = 0.25
    while (stack := describe(session, stack_name)) is not None and stack["StackStatus"] != "DELETE_COMPLETE":
        if time.monotonic() > deadline or stack["StackStatus"] == "DELETE_FAILED":
            raise DeployError(
                f"{stack_name} could not be deleted: {stack['StackStatus']}", events(session, stack_name)
            )
        log(f"waiting for {stack_name} to be deleted: {stack['StackStatus']}")
        time.sleep(delay)
        delay = min(delay * 2, 15.0)


def deployed_template(session: AwsSession, stack_name: str) -> dict[str, Any] | None:
    """The template the stack runs now, or None when there is no stack."""
    if describe(session, stack_name) is None:
        return None
    body = session.client("cloudformation").get_template(StackName=stack_name)["TemplateBody"]
    return body if isinstance(body, dict) else json.loads(body)
