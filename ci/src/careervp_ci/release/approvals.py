"""The gate in front of protected environments: a change-set summary and an approval that cites it.

`change-set --env prod --artifact D` creates a real CloudFormation change set on prod's stack (`change_sets`)
and writes its review: the change set's ARN and the sha256 of its full description, and per resource the
action, the replacement verdict, the properties that change and what widens access (`change_review`);
`approve` writes two objects under
`approvals/<env>/` in the artifact store, so a deploy on another runner sees them: the summary, and the
approval record (who, when, the summary's sha256, the change set's ARN and description hash, the stateful
replacements explicitly allowed, and the digest prod ran when the summary was made). A replacement of a
stateful resource (table, bucket, user pool) is approved only when named (`--allow-replacement ID`).
A deploy to an environment that requires approval accepts the record only for that digest and
environment, with an intact summary, and only while prod still runs the digest the summary was made
against (otherwise the summary no longer describes the change).

In CI the summary is made by one job (`careervp-ci change-set`, read-only credentials) and approved in
another (`approve --summary`, after the environment's reviewers said yes): `check_summary` holds the
reviewed summary against one computed afresh, so only the change the reviewers saw can be approved.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from careervp_ci.errors import CareervpError
from careervp_ci.release.artifact import Digest
from careervp_ci.release.change_review import ResourceChange, stateful_replacements
from careervp_ci.release.ledger import now
from careervp_ci.release.store import Backend


class ApprovalError(CareervpError):
    """No valid approval for this digest and environment."""


@dataclass(frozen=True)
class ChangeSummary:
    env: str
    digest: str
    stack_name: str
    baseline_digest: str
    """The digest the environment ran when the summary was made ('' for nothing deployed)."""
    added: list[str]
    changed: list[str]
    removed: list[str]
    baseline_template_sha256: str = ""
    """sha256 of the live template the summary was made against ('' for no stack): in CI each job starts
    with an empty ledger, so this is what shows that the environment changed since the summary."""
    change_set_arn: str = ""
    """The CloudFormation change set reviewed: the one the deploy executes."""
    description_sha256: str = ""
    """sha256 of the change set's full description when reviewed (`change_sets.description_sha256`)."""
    stack_sha256: str = ""
    """The live stack when reviewed (`change_sets.stack_sha256`: template, tags, last update); '' for none."""
    resources: list[ResourceChange] = field(default_factory=list)
    """Per resource: action, replacement verdict, changed properties, what widens access."""
    changes_nothing: bool = False
    """CloudFormation made no change set: the stack runs this template; the deploy only retags it."""

    @property
    def stateful_replacements(self) -> list[str]:
        return stateful_replacements(self.resources)

    @property
    def widening(self) -> list[str]:
        return [f"{r['id']}: {what}" for r in self.resources for what in r["widens"]]

    def lines(self) -> list[str]:
        def show(label: str, ids: list[str]) -> str:
            return f"  {label} ({len(ids)}): {', '.join(ids) if ids else '-'}"

        return [
            f"change set for {self.stack_name} ({self.env}) -> {self.digest}",
            f"  change set: {self.change_set_arn or 'none'}"
            + (" (changes nothing: the template is what runs)" if self.changes_nothing else ""),
            f"  baseline: {self.baseline_digest or 'nothing deployed'}",
            show("added", self.added),
            show("changed", self.changed),
            show("removed", self.removed),
            *(
                f"  {r['action']} {r['id']} ({r['type']}): replacement {r['replacement']}"
                + (f" ({', '.join(r['because'])})" if r["because"] else "")
                for r in self.resources
                if r["action"] != "Add"
            ),
            *(f"  WIDENS ACCESS {line}" for line in self.widening),
            *(
                f"  REPLACES STATEFUL {logical} (data loss): approve only with --allow-replacement {logical}"
                for logical in self.stateful_replacements
            ),
        ]

    def text(self) -> str:
        """The canonical JSON: an approval cites its sha256, so one rendering for the file and the check."""
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    def sha256(self) -> str:
        return hashlib.sha256(self.text().encode()).hexdigest()

    def markdown(self) -> str:
        """For $GITHUB_STEP_SUMMARY: what a reviewer reads before approving."""

        def cell(ids: list[str]) -> str:
            return ", ".join(f"`{i}`" for i in ids) if ids else "-"

        baseline = f"`{self.baseline_digest}`" if self.baseline_digest else "nothing recorded"
        live = f"`sha256:{self.baseline_template_sha256}`" if self.baseline_template_sha256 else "no stack"

        return "\n".join(
            [
                f"## Change set: {self.env} (`{self.stack_name}`)",
                "",
                "| | |",
                "| --- | --- |",
                f"| change set | `{self.change_set_arn or 'none'}` |",
                f"| artifact | `{self.digest}` |",
                f"| baseline | {baseline} |",
                f"| live template | {live} |",
                f"| added ({len(self.added)}) | {cell(self.added)} |",
                f"| changed ({len(self.changed)}) | {cell(self.changed)} |",
                f"| removed ({len(self.removed)}) | {cell(self.removed)} |",
                "",
                *self._warnings(),
                *self._resource_table(),
                f"Approving approves exactly this summary (sha256 `{self.sha256()}`) and executes "
                "exactly this change set.",
                "",
            ]
        )

    def _warnings(self) -> list[str]:
        lines = [f"- **Widens access** {line}" for line in self.widening]
        lines += [
            f"- **Replaces stateful `{logical}`: its data is lost.** Refused unless approved with "
            f"`--allow-replacement {logical}`."
            for logical in self.stateful_replacements
        ]
        return [*lines, ""] if lines else []

    def _resource_table(self) -> list[str]:
        if not self.resources:
            return []
        rows = [
            "| resource | type | action | replacement | properties (before → after) |",
            "| --- " * 5 + "|",
        ]
        for r in self.resources:
            verdict = r["replacement"] + (f" ({r['replacement_source']})" if r["replacement_source"] else "")
            shown = "<br>".join(
                f"`{p['name']}`: `{p['before']}` → `{p['after']}`".replace("|", "\\|")
                for p in r["properties"]
                if r["action"] == "Modify"
            )
            rows.append(f"| `{r['id']}` | {r['type']} | {r['action']} | {verdict} | {shown or '-'} |")
        return [*rows, ""]


def template_sha256(template: dict[str, Any] | None) -> str:
    return (
        "" if template is None else hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
    )


def load_summary(path: Path) -> ChangeSummary:
    """A change-set file as written by `careervp-ci change-set`; ApprovalError if it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ChangeSummary(**data)
    except (OSError, ValueError, TypeError) as error:
        raise ApprovalError(
            f"{path} is not a change-set summary written by `careervp-ci change-set` ({error}); "
            "make a new one"
        ) from None


def check_summary(path: Path, reviewed: ChangeSummary, fresh: ChangeSummary) -> None:
    """The reviewed summary still describes the change `fresh` (computed now) describes, or ApprovalError."""
    how = (
        f"make a new one with `careervp-ci change-set --env {fresh.env} --artifact {fresh.digest}` "
        "and review it"
    )
    if (reviewed.env, reviewed.digest) != (fresh.env, fresh.digest):
        raise ApprovalError(
            f"change-set summary {path} is for {reviewed.env} / {reviewed.digest}, "
            f"not {fresh.env} / {fresh.digest}; {how}"
        )
    baseline = (reviewed.baseline_digest, reviewed.baseline_template_sha256, reviewed.stack_sha256)
    if baseline != (fresh.baseline_digest, fresh.baseline_template_sha256, fresh.stack_sha256):
        raise ApprovalError(
            f"change-set summary {path} is stale: {fresh.env} changed since it was made (baseline "
            f"{reviewed.baseline_digest or 'nothing'}, live template "
            f"{reviewed.baseline_template_sha256 or 'none'}; now {fresh.baseline_digest or 'nothing'}, "
            f"{fresh.baseline_template_sha256 or 'none'}, or the stack itself was updated); {how}"
        )
    if reviewed != fresh:
        raise ApprovalError(
            f"change-set summary {path} does not match the change computed now for the same baseline "
            f"(stack, added, changed or removed differ): it was edited after it was made; {how}"
        )


def summarize(
    env: str,
    digest: Digest,
    stack_name: str,
    *,
    new: dict[str, Any],
    old: dict[str, Any] | None,
    baseline: str,
) -> ChangeSummary:
    new_resources: dict[str, Any] = new.get("Resources", {})
    old_resources: dict[str, Any] = (old or {}).get("Resources", {})
    return ChangeSummary(
        env=env,
        digest=str(digest),
        stack_name=stack_name,
        baseline_digest=baseline,
        added=sorted(new_resources.keys() - old_resources.keys()),
        changed=sorted(
            k for k in new_resources.keys() & old_resources.keys() if new_resources[k] != old_resources[k]
        ),
        removed=sorted(old_resources.keys() - new_resources.keys()),
        baseline_template_sha256=template_sha256(old),
    )


def _keys(env: str, digest: Digest) -> tuple[str, str]:
    base = f"approvals/{env}"
    return f"{base}/{digest.hex}.summary.json", f"{base}/{digest.hex}.approval.json"


def approver() -> str:
    return os.environ.get("CAREERVP_APPROVER") or getpass.getuser()


def refuse_unapproved_replacements(summary: ChangeSummary, allowed: list[str], where: str) -> None:
    """ApprovalError unless every stateful replacement of the change is in `allowed` (named explicitly)."""
    missing = [logical for logical in summary.stateful_replacements if logical not in allowed]
    if missing:
        flags = " ".join(f"--allow-replacement {logical}" for logical in missing)
        raise ApprovalError(
            f"the change set {summary.change_set_arn or '(none)'} for {summary.env} replaces stateful "
            f"{', '.join(missing)} (its data would be lost) and {where} does not allow it; "
            f"if losing that data is intended, approve with `careervp-ci approve --env {summary.env} "
            f"--artifact {summary.digest} --summary FILE {flags}`, else change the template so it is "
            "updated in place"
        )


def write_approval(
    backend: Backend,
    summary: ChangeSummary,
    approved_by: str | None = None,
    allow_replacement: list[str] | None = None,
) -> str:
    """Store the summary and the approval citing it (`approvals/<env>/`); returns the approval's location.
    Refused (ApprovalError) when the change replaces a stateful resource `allow_replacement` does not name."""
    allowed = sorted(set(allow_replacement or []))
    refuse_unapproved_replacements(summary, allowed, "the approval")
    digest = Digest(summary.digest)
    summary_key, approval_key = _keys(summary.env, digest)
    text = summary.text()
    backend.write(summary_key, text.encode())
    record = {
        "env": summary.env,
        "digest": summary.digest,
        "summary": summary_key.rsplit("/", 1)[1],
        "summary_sha256": summary.sha256(),
        "change_set_arn": summary.change_set_arn,
        "description_sha256": summary.description_sha256,
        "allow_replacement": allowed,
        "approved_by": approved_by or approver(),
        "approved_at": now(),
    }
    backend.write(approval_key, (json.dumps(record, indent=2, sort_keys=True) + "\n").encode())
    return backend.where(approval_key)


def _read_local(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


def check_approval(
    backend: Backend, env: str, digest: Digest, current: str, explicit: Path | None = None
) -> dict[str, Any]:
    """The approval record for (env, digest), or ApprovalError saying what is missing or wrong."""
    return approved(backend, env, digest, current, explicit)[0]


def approved(
    backend: Backend, env: str, digest: Digest, current: str | None, explicit: Path | None = None
) -> tuple[dict[str, Any], ChangeSummary]:
    """The approval record for (env, digest) and the summary it approved, or ApprovalError saying what is
    missing or wrong. `current` is the digest env runs now, which the summary must have been made against;
    None accepts any baseline (a rollback to a digest approved before).

    From the store by default; `explicit` is a local approval file whose summary sits beside it."""
    summary_key, approval_key = _keys(env, digest)
    how = f"run `careervp-ci approve --env {env} --artifact {digest}` after reviewing the change-set summary"
    if explicit is not None:
        where, data = str(explicit), _read_local(explicit)
    else:
        where, data = backend.where(approval_key), backend.read(approval_key)
    if data is None:
        raise ApprovalError(f"{env} requires an approval for {digest} and there is none ({where}); {how}")
    try:
        record: dict[str, Any] = json.loads(data)
    except ValueError:
        raise ApprovalError(f"approval {where} is not an approval record; {how}") from None
    if record.get("env") != env or record.get("digest") != str(digest):
        raise ApprovalError(
            f"approval {where} is for {record.get('env')} / {record.get('digest')}, "
            f"not {env} / {digest}; {how}"
        )
    name = str(record.get("summary", ""))
    if explicit is not None:
        summary_where, text_bytes = str(explicit.parent / name), _read_local(explicit.parent / name)
    else:
        key = f"{summary_key.rsplit('/', 1)[0]}/{name}"
        summary_where, text_bytes = backend.where(key), backend.read(key)
    if text_bytes is None:
        raise ApprovalError(
            f"approval {where} cites a change-set summary that is missing ({summary_where}); {how}"
        )
    text = text_bytes.decode("utf-8", errors="replace")
    if hashlib.sha256(text.encode()).hexdigest() != record.get("summary_sha256"):
        raise ApprovalError(f"the change-set summary {summary_where} was modified after approval; {how}")
    try:
        summary = ChangeSummary(**json.loads(text))
    except (ValueError, TypeError):
        raise ApprovalError(f"{summary_where} is not a change-set summary; {how}") from None
    if summary.env != env or summary.digest != str(digest):
        raise ApprovalError(
            f"the change-set summary {summary_where} was made for another digest or env; {how}"
        )
    if current is not None and summary.baseline_digest != current:
        raise ApprovalError(
            f"{env} changed since the approval (summary made against "
            f"{summary.baseline_digest or 'nothing'}, "
            f"now {current or 'nothing'}): the summary is stale; {how}"
        )
    if (record.get("change_set_arn", ""), record.get("description_sha256", "")) != (
        summary.change_set_arn,
        summary.description_sha256,
    ):
        raise ApprovalError(f"approval {where} does not cite the change set its summary names; {how}")
    refuse_unapproved_replacements(summary, list(record.get("allow_replacement", [])), f"approval {where}")
    return record, summary
