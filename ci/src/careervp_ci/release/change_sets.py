"""Real CloudFormation change sets: made for review (`change-set`), then executed exactly as reviewed
(the prod deploy), or refused naming why.

A change set is created from the artifact's template with the release's tags (the assets it points at are
published first, as a deploy does). The review binds its ARN and the sha256 of its full description (every
page of `describe_change_set`); executing re-reads both and refuses when the change set is gone, no longer
executable, or described differently, or when the stack changed since the review (`stack_sha256`: its
template, tags and last update). moto executes change sets through `moto_change_sets`' fix.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from careervp_ci.errors import CareervpError
from careervp_ci.release.approvals import ChangeSummary, template_sha256
from careervp_ci.release.cloudformation import (
    CAPABILITIES,
    REVIEW,
    AwsSession,
    DeployError,
    Log,
    StackFiles,
    as_role,
    deployed_template,
    describe,
    publish_assets,
    tag_list,
    template_argument,
    template_of,
    undo_create,
    undo_update,
    wait,
)

VOLATILE = ("ResponseMetadata", "NextToken")


class ChangeSetGone(CareervpError):
    """The reviewed change set cannot be executed as reviewed; the message says why (exit 1)."""


def name_for(env: str, digest_hex: str, run: str) -> str:
    """A change set's name: letters, digits and hyphens, starting with a letter (CloudFormation's rule)."""
    return f"careervp-{env}-{digest_hex[:12]}-{run}".replace("_", "-")[:128]


def stack_sha256(stack: dict[str, Any] | None, template: dict[str, Any] | None) -> str:
    """What the stack is now (template, tags, status, last update): any change since the review shows."""
    if stack is None:
        return ""
    state = {
        "template": template,
        "tags": sorted((t["Key"], t["Value"]) for t in stack.get("Tags", [])),
        "status": stack.get("StackStatus"),
        "updated": str(stack.get("LastUpdatedTime") or stack.get("CreationTime")),
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def create(
    files: StackFiles,
    session: AwsSession,
    log: Log,
    *,
    name: str,
    tags: Mapping[str, str],
    exists: bool,
    role_arn: str,
) -> str:
    """Create the change set of the assembly's stack (UPDATE when the stack `exists`, else CREATE), for
    CloudFormation to execute as `role_arn`, and wait until CloudFormation has computed it; returns its
    ARN. DeployError if it cannot be made."""
    published = publish_assets(files, session, log)
    cfn = session.client("cloudformation")
    try:
        arn: str = cfn.create_change_set(
            StackName=files.stack_name,
            ChangeSetName=name,
            ChangeSetType="UPDATE" if exists else "CREATE",
            Capabilities=CAPABILITIES,
            Tags=tag_list(tags),
            **as_role(role_arn),
            **template_argument(files, published, session),
        )["Id"]
    except (ClientError, BotoCoreError) as error:
        raise DeployError(f"CloudFormation refused the change set for {files.stack_name}: {error}") from None
    deadline, delay = time.monotonic() + 600, 0.25
    while (status := cfn.describe_change_set(ChangeSetName=arn)["Status"]) in (
        "CREATE_PENDING",
        "CREATE_IN_PROGRESS",
    ):
        if time.monotonic() > deadline:
            raise DeployError(f"change set {arn} still {status} after 600s")
        log(f"waiting for change set {name}: {status}")
        time.sleep(delay)
        delay = min(delay * 2, 10.0)
    log(f"change set {arn} created ({status})")
    return arn


def description(session: AwsSession, arn: str) -> dict[str, Any] | None:
    """The change set's full description (every page's changes), or None when it is gone."""
    cfn = session.client("cloudformation")
    pages: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        try:
            page = cfn.describe_change_set(ChangeSetName=arn, **({"NextToken": token} if token else {}))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("ChangeSetNotFound", "ValidationError"):
                return None
            raise
        pages.append(page)
        token = page.get("NextToken")
        if not token:
            break
    whole = {key: value for key, value in pages[0].items() if key not in VOLATILE}
    whole["Changes"] = [change for page in pages for change in page.get("Changes", [])]
    return whole


NO_CHANGES = "didn't contain changes"
"""CloudFormation's reason for a change set that would change nothing (it fails it; moto says the same)."""


def changes_nothing(whole: dict[str, Any]) -> bool:
    """The change set was not made because the template and parameters are what the stack runs."""
    return whole.get("Status") == "FAILED" and NO_CHANGES in str(whole.get("StatusReason", ""))


def description_sha256(whole: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(whole, sort_keys=True, default=str).encode()).hexdigest()


def execute(files: StackFiles, session: AwsSession, arn: str, log: Log, *, role_arn: str) -> dict[str, Any]:
    """Publish the assets the change set points at, execute exactly it (CloudFormation acts as the role the
    change set was made with) and wait for the stack. On failure DeployError, after leaving the stack as it
    was as `role_arn` (like `deploy_stack`: the emulator rolls nothing back)."""
    published = publish_assets(files, session, log)
    existing = current_stack(session, files.stack_name)
    previous = (template_of(session, files.stack_name), existing.get("Tags", [])) if existing else None
    log(f"executing change set {arn}")
    try:
        session.client("cloudformation").execute_change_set(ChangeSetName=arn)
        return wait(session, files.stack_name, log)
    except (DeployError, ClientError, BotoCoreError) as error:
        failure = (
            error
            if isinstance(error, DeployError)
            else DeployError(f"execution of change set {arn} failed: {error}")
        )
        if previous is None:
            raise undo_create(session, files.stack_name, failure, log, role_arn=role_arn) from None
        raise undo_update(
            session,
            files.stack_name,
            previous=previous,
            published=published,
            error=failure,
            log=log,
            role_arn=role_arn,
        ) from None


def current_stack(session: AwsSession, stack_name: str) -> dict[str, Any] | None:
    """The stack, or None when there is none (or only the shell a CREATE change set made)."""
    stack = describe(session, stack_name)
    return None if stack is None or stack["StackStatus"] == REVIEW else stack


def refuse_unless_as_reviewed(session: AwsSession, summary: ChangeSummary) -> None:
    """ChangeSetGone, naming why, unless executing the summary's change set now does what was reviewed: the
    stack is as it was, the change set is still there, executable, and described the same."""
    how = (
        "make and review a new one (`careervp-ci change-set --env "
        f"{summary.env} --artifact {summary.digest}`), then approve it"
    )
    template = deployed_template(session, summary.stack_name)
    if stack_sha256(current_stack(session, summary.stack_name), template) != summary.stack_sha256:
        what = (
            "its template changed"
            if template_sha256(template) != summary.baseline_template_sha256
            else "it was updated (tags or last update differ)"
        )
        raise ChangeSetGone(
            f"{summary.stack_name} changed since change set {summary.change_set_arn} was reviewed ({what}): "
            f"the change set no longer describes what executing it would do; nothing was executed; {how}"
        )
    whole = description(session, summary.change_set_arn)
    if whole is None:
        raise ChangeSetGone(
            f"the reviewed change set {summary.change_set_arn} is gone (deleted, or dropped by "
            f"CloudFormation after another change to {summary.stack_name}); nothing was executed; {how}"
        )
    if whole.get("ExecutionStatus") != "AVAILABLE" and not summary.changes_nothing:
        raise ChangeSetGone(
            f"the reviewed change set {summary.change_set_arn} cannot be executed: its status is "
            f"{whole.get('Status')} / {whole.get('ExecutionStatus')} "
            f"({whole.get('StatusReason') or 'no reason'}); nothing was executed; {how}"
        )
    if description_sha256(whole) != summary.description_sha256:
        raise ChangeSetGone(
            f"change set {summary.change_set_arn} is described differently than when it was reviewed "
            f"(sha256 {description_sha256(whole)}, reviewed {summary.description_sha256}); nothing was "
            f"executed; {how}"
        )
