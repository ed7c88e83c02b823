"""Deploying one stack of the cloud assembly with boto3, the same way against AWS and the emulator.

No re-synth and no CDK CLI: the file assets the assembly lists are published to the bootstrap bucket
(a release's code asset is already the zip Lambda receives and goes as is; a folder asset, in an artifact
built before the build zipped its package or in the tree's own assembly, is zipped by the build's own
deterministic writer), then the template goes to CloudFormation with direct create_stack / update_stack;
an environment behind approval executes the reviewed change set instead (`change_sets`). Waits poll with a
bounded, growing interval and log every retry; calls that race eventual consistency retry the same way.

A failed deploy never leaves a half-made stack: a failed create is deleted, and a failed update is checked
after CloudFormation's own rollback; when the stack still runs anything but its previous template (the
emulator applies an update resource by resource and stops at the first failure, rolling nothing back) the
previous template is deployed again. `DeployError.rollback` says which happened.

A deploy whose own process was killed leaves CloudFormation working on its own: the next deploy first
waits for the stack to settle, deletes a failed create, and then deploys as usual, so a rerun converges.
The stack carries tags naming what it runs (`careervp:digest`, `careervp:commit`, `careervp:ref`,
`careervp:run`): `verify`, `smoke` and `promote` read them from the live stack.

Every call that makes CloudFormation act on a stack (create, update, delete, and a change set's create)
passes `role_arn`, the environment's execution role (release/session.py `execution_role`): CloudFormation
acts as that role, and the deploy roles may call these only with it (the account stack's
`DeployOwnStackAsItsExecutionRole`). `None` only for the account's own stacks, which create those roles.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from careervp_infra.assets import deterministic_zip
from careervp_infra.cloud_assembly import find_stack

from careervp_ci.errors import CareervpError
from careervp_ci.release.masking import mask

Log = Callable[[str], None]

TEMPLATE_BODY_LIMIT = 51_200
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
DONE_OK = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
SETTLED = DONE_OK | {"UPDATE_ROLLBACK_COMPLETE"}
REVIEW = "REVIEW_IN_PROGRESS"
"""A stack a CREATE change set made and nobody executed: a shell with no resources, never "in progress"."""
DONE_FAILED = {
    "CREATE_FAILED",
    "ROLLBACK_COMPLETE",
    "ROLLBACK_FAILED",
    "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_FAILED",
    "DELETE_FAILED",
    "UPDATE_FAILED",
}
IN_PROGRESS = {
    status
    for phase in ("CREATE", "UPDATE", "DELETE", "ROLLBACK", "UPDATE_ROLLBACK", "IMPORT", "IMPORT_ROLLBACK")
    for status in (f"{phase}_IN_PROGRESS", f"{phase}_COMPLETE_CLEANUP_IN_PROGRESS")
}


class DeployError(CareervpError):
    """CloudFormation did not reach a good state; `events` holds the stack's events for the report and
    `rollback` what was done to leave the stack as it was before the deploy."""

    def __init__(self, message: str, events: list[dict[str, Any]] | None = None, rollback: str = "") -> None:
        super().__init__(message)
        self.events = events or []
        self.rollback = rollback


class RetryExhaustedError(CareervpError):
    """A call kept failing transiently after every retry the bound allows."""


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

    def partition(self) -> str:
        """The ARN partition of the session's region (`aws`, `aws-cn`, `aws-us-gov`), from botocore's data."""
        partition: str = boto3.session.Session().get_partition_for_region(self.region)
        return partition

    def resolve_account(self) -> str:
        if not self.account:
            self.account = str(self.client("sts").get_caller_identity()["Account"])
            mask([self.account])
        return self.account


TRANSIENT_CODES = frozenset(
    {
        # eventual consistency: a resource created a moment ago is not visible everywhere yet
        "NoSuchBucket",
        "ResourceNotFoundException",
        "ResourceNotFound",
        # throttling and service hiccups
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
    }
)


def is_transient(error: Exception) -> bool:
    """Whether waiting and calling again can succeed (anything else is a real error, raised at once)."""
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code", "") in TRANSIENT_CODES
    return isinstance(error, EndpointConnectionError | ConnectionClosedError | ReadTimeoutError)


def retry[T](
    action: Callable[[], T],
    *,
    what: str,
    log: Log,
    attempts: int = 6,
    first_delay: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `action`, retrying transient failures (`is_transient`) with doubling delays, at most
    `attempts` calls in all; each retry is logged, and running out raises RetryExhaustedError."""
    delay, waited = first_delay, 0.0
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except Exception as error:
            if not is_transient(error):
                raise
            if attempt == attempts:
                raise RetryExhaustedError(
                    f"{what} still failing after {attempts} attempts over {waited:.1f}s of backoff: "
                    f"{error}. It looks transient (eventual consistency or throttling): run the command "
                    "again in a minute; if it keeps failing, check the resource exists in the target"
                ) from error
            log(f"retry {attempt}/{attempts - 1} of {what} in {delay:.1f}s (transient: {error})")
            sleep(delay)
            waited += delay
            delay *= 2
    raise AssertionError("unreachable: the loop returns or raises")


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


def template_argument(
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
    """The stack's outputs; masked in GitHub Actions logs from here on (careervp_ci.release.masking)."""
    found = {item["OutputKey"]: item["OutputValue"] for item in stack.get("Outputs", [])}
    mask(found.values())
    return found


TAG_PREFIX = "careervp:"


def stack_tags(stack: dict[str, Any]) -> dict[str, str]:
    """The release's tags on a stack, without the prefix (`digest`, `commit`, `ref`, `run`)."""
    return {
        item["Key"].removeprefix(TAG_PREFIX): item["Value"]
        for item in stack.get("Tags", [])
        if item["Key"].startswith(TAG_PREFIX)
    }


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """CloudFormation tag values must be 1-256 characters: empty ones are left out."""
    return [{"Key": f"{TAG_PREFIX}{key}", "Value": value[:256]} for key, value in tags.items() if value]


def settle(session: AwsSession, stack_name: str, log: Log, *, timeout: float = 1800) -> dict[str, Any] | None:
    """Wait until the stack is in no *_IN_PROGRESS state (an interrupted deploy's work finishing)."""
    deadline = time.monotonic() + timeout
    delay = 0.5
    while (stack := describe(session, stack_name)) is not None and stack["StackStatus"] in IN_PROGRESS:
        if time.monotonic() > deadline:
            raise DeployError(f"{stack_name} still {stack['StackStatus']} after {timeout:.0f}s")
        log(f"{stack_name} is {stack['StackStatus']} (an earlier deploy's work); waiting for it to settle")
        time.sleep(delay)
        delay = min(delay * 2, 15.0)
    return stack


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


def as_role(role_arn: str | None) -> dict[str, str]:
    """The `RoleARN` of a stack-mutating call: CloudFormation acts as this role (module docstring)."""
    return {"RoleARN": role_arn} if role_arn else {}


def deploy_stack(
    files: StackFiles,
    session: AwsSession,
    log: Log,
    tags: Mapping[str, str] | None = None,
    *,
    role_arn: str | None,
) -> dict[str, Any]:
    """Create or update the stack from the assembly, tagged with `tags`, and wait for it, CloudFormation
    acting as `role_arn`; returns the settled stack.

    On failure raises DeployError after undoing what the deploy did (see the module docstring)."""
    try:
        published = publish_assets(files, session, log)
    except RetryExhaustedError as error:
        untouched = f"{files.stack_name} was not touched (assets are published before the stack changes)"
        raise DeployError(str(error), rollback=untouched) from error
    template = template_argument(files, published, session)
    cfn = session.client("cloudformation")
    existing = settle(session, files.stack_name, log)
    if existing and existing["StackStatus"] in (
        "ROLLBACK_COMPLETE",
        "ROLLBACK_FAILED",
        "CREATE_FAILED",
        REVIEW,
    ):
        log(f"{files.stack_name} is in {existing['StackStatus']} from an earlier create; deleting it")
        delete_stack(session, files.stack_name, log, role_arn=role_arn)
        existing = None
    arguments: dict[str, Any] = {
        "StackName": files.stack_name,
        "Capabilities": CAPABILITIES,
        "Tags": tag_list(tags or {}),
        **as_role(role_arn),
        **template,
    }
    if existing is None:
        log(f"creating {files.stack_name}")
        try:
            cfn.create_stack(**arguments)
            return wait(session, files.stack_name, log)
        except (DeployError, ClientError, BotoCoreError) as error:
            raise undo_create(session, files.stack_name, error, log, role_arn=role_arn) from None
    previous = template_of(session, files.stack_name)
    log(f"updating {files.stack_name}")
    try:
        cfn.update_stack(**arguments)
    except (ClientError, BotoCoreError) as error:
        if "No updates are to be performed" in str(error):
            log(f"{files.stack_name} already matches the artifact; nothing to update")
            return existing
        failure = DeployError(f"update of {files.stack_name} was rejected: {error}")
        raise undo_update(
            session,
            files.stack_name,
            previous=(previous, existing.get("Tags", [])),
            published=published,
            error=failure,
            log=log,
            role_arn=role_arn,
        ) from None
    try:
        return wait(session, files.stack_name, log)
    except DeployError as error:
        raise undo_update(
            session,
            files.stack_name,
            previous=(previous, existing.get("Tags", [])),
            published=published,
            error=error,
            log=log,
            role_arn=role_arn,
        ) from None


def _failure_events(session: AwsSession, stack_name: str, error: Exception) -> list[dict[str, Any]]:
    return (error.events if isinstance(error, DeployError) else []) or events(session, stack_name)


def undo_create(
    session: AwsSession, stack_name: str, error: Exception, log: Log, *, role_arn: str | None
) -> DeployError:
    """Delete what a failed create left behind; returns the error to raise, with the evidence."""
    message = str(error) if isinstance(error, DeployError) else f"create of {stack_name} failed: {error}"
    evidence = _failure_events(session, stack_name, error)
    if describe(session, stack_name) is None:
        return DeployError(message, evidence, f"no stack {stack_name} was created")
    log(f"deleting the failed new stack {stack_name}")
    try:
        delete_stack(session, stack_name, log, role_arn=role_arn)
    except (DeployError, ClientError, BotoCoreError) as cleanup:
        return DeployError(
            message,
            evidence,
            f"the failed new stack {stack_name} could not be deleted ({cleanup}); delete it by hand",
        )
    return DeployError(message, evidence, f"the failed new stack {stack_name} was deleted")


def undo_update(
    session: AwsSession,
    stack_name: str,
    *,
    previous: tuple[dict[str, Any], list[dict[str, str]]],
    published: dict[str, tuple[str, str]],
    error: DeployError,
    log: Log,
    role_arn: str | None,
) -> DeployError:
    """Make sure a failed update left the stack on its previous template and tags (`previous`); returns
    the error to raise."""
    previous_template, previous_tags = previous
    evidence = _failure_events(session, stack_name, error)
    stack = describe(session, stack_name)
    status = stack["StackStatus"] if stack else "DELETE_COMPLETE"
    if status == "UPDATE_ROLLBACK_FAILED":
        return DeployError(
            str(error),
            evidence,
            f"CloudFormation could not roll {stack_name} back (UPDATE_ROLLBACK_FAILED): run "
            f"`aws cloudformation continue-update-rollback --stack-name {stack_name}`, then redeploy",
        )
    if status in SETTLED and template_of(session, stack_name) == previous_template:
        return DeployError(str(error), evidence, f"{stack_name} is back on its previous template ({status})")
    log(f"{stack_name} was left half-updated ({status}); deploying its previous template again")
    try:
        session.client("cloudformation").update_stack(
            StackName=stack_name,
            Capabilities=CAPABILITIES,
            Tags=previous_tags,
            **as_role(role_arn),
            **_previous_template_argument(session, stack_name, previous_template, published),
        )
        wait(session, stack_name, log)
    except (DeployError, ClientError, BotoCoreError) as restore:
        return DeployError(
            str(error),
            evidence,
            f"{stack_name} was left half-updated and its previous template could not be restored ({restore})",
        )
    return DeployError(
        str(error),
        evidence,
        f"the half-applied update was undone: {stack_name} runs its previous template again",
    )


def template_of(session: AwsSession, stack_name: str) -> dict[str, Any]:
    body = session.client("cloudformation").get_template(StackName=stack_name)["TemplateBody"]
    loaded: dict[str, Any] = json.loads(json.dumps(body)) if isinstance(body, dict) else json.loads(body)
    return loaded


def _previous_template_argument(
    session: AwsSession, stack_name: str, previous: dict[str, Any], published: dict[str, tuple[str, str]]
) -> dict[str, str]:
    """The previous template as a body, or uploaded beside the assets when it is too big for one: under
    their key prefix (the environment's, account/naming.py `asset_prefix`), all of the asset bucket its
    deploy role may write."""
    body = json.dumps(previous, sort_keys=True)
    if len(body.encode()) <= TEMPLATE_BODY_LIMIT:
        return {"TemplateBody": body}
    if not published:
        raise DeployError(
            f"the previous template of {stack_name} is too big to send inline and there is no asset bucket"
        )
    bucket, asset_key = next(iter(published.values()))
    name = f"{stack_name}-{hashlib.sha256(body.encode()).hexdigest()}.json"
    key = posixpath.join(posixpath.dirname(asset_key), "rollback", name)
    session.client("s3").put_object(Bucket=bucket, Key=key, Body=body.encode())
    return {"TemplateURL": f"https://s3.{session.region}.amazonaws.com/{bucket}/{key}"}


def delete_stack(session: AwsSession, stack_name: str, log: Log, *, role_arn: str | None) -> None:
    session.client("cloudformation").delete_stack(StackName=stack_name, **as_role(role_arn))
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
    """The template the stack runs now, or None when there is no stack (or only a change set's shell)."""
    stack = describe(session, stack_name)
    if stack is None or stack["StackStatus"] == REVIEW:
        return None
    body = session.client("cloudformation").get_template(StackName=stack_name)["TemplateBody"]
    return body if isinstance(body, dict) else json.loads(body)
