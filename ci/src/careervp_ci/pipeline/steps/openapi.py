"""`openapi`: the committed contract is valid, matches the code, and breaks no client unless accepted.

Three checks, in order: the spec validates (openapi-spec-validator);
`python -m careervp_local.openapi --check` finds no drift between code and spec; and against `--base-ref`
(the spec as committed at that ref), `openapi-diff` finds no breaking change that is not accepted, with a
reason, in ACCEPTED_BREAKS.

Every run writes REPORT (Markdown: each breaking change, accepted or not, against which ref; or why nothing
was compared) next to openapi-diff's raw output, for the workflow to upload as an artifact.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careervp_ci.errors import UsageError
from careervp_ci.pipeline.steps.context import StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Option, Step
from careervp_ci.pipeline.steps.sources import BACKEND_SOURCES, PROJECT_CONFIG

SPEC = "docs/specs/openapi.json"
REPORT = "openapi-breaking.md"
ACCEPTED_BREAKS = "docs/specs/openapi-breaking-accepted.toml"
"""Entries: [[accepted]] code = "path.remove", location = "paths./v1/x", reason = "why it is safe"."""


@dataclass(frozen=True)
class Break:
    code: str
    location: str

    def describe(self) -> str:
        return f"{SPEC}: breaking {self.code} at {self.location}"


def _schema_as_30(node: Any) -> Any:
    """One JSON value with the OpenAPI 3.1 schema forms rewritten in their 3.0 spelling."""
    if isinstance(node, list):
        return [_schema_as_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _schema_as_30(value) for key, value in node.items()}
    if isinstance(node.get("examples"), list):
        examples = node.pop("examples")
        if examples:
            node.setdefault("example", examples[0])
    if isinstance(node.get("type"), list):
        kinds = [kind for kind in node["type"] if kind != "null"]
        node["nullable"] = len(kinds) < len(node["type"])
        node["type"] = kinds[0] if len(kinds) == 1 else kinds
    for combinator in ("anyOf", "oneOf"):
        options = node.get(combinator)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [option for option in options if option != {"type": "null"}]
            node.pop(combinator)
            node = {**node, **rest[0]} if len(rest) == 1 else {**node, combinator: rest}
            node["nullable"] = True
    if "const" in node:
        node["enum"] = [node.pop("const")]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(bound), int | float) and not isinstance(node[bound], bool):
            node[plain] = node[bound]
            node[bound] = True
    return node


def as_openapi_30(text: str) -> str:
    """The spec in OpenAPI 3.0 form for openapi-diff, whose parser accepts only 3.0.x.

    The rewrite is applied to both sides of the comparison, so it cannot hide a difference between them;
    3.1-only top-level sections (webhooks) are dropped, and their changes are not compared.
    """
    spec: dict[str, Any] = json.loads(text)
    if not str(spec.get("openapi", "")).startswith("3.1"):
        return text
    converted = _schema_as_30({k: v for k, v in spec.items() if k not in {"webhooks", "jsonSchemaDialect"}})
    converted["openapi"] = "3.0.3"
    return json.dumps(converted, indent=2)


def spec_at(src: Path, ref: str) -> str | None:
    """The spec's text committed at `ref`, or None when the ref has no spec yet; a UsageError (RefError)
    when the ref names no commit here. Read from the history without git (the Dagger container has none);
    imported here, since the module runtime that loads the catalogue has no dulwich."""
    from careervp_ci.history import file_at  # noqa: PLC0415

    committed = file_at(src, ref, SPEC)
    return None if committed is None else committed.decode("utf-8")


def base_fingerprint(src: Path, options: Mapping[str, str | None]) -> str:
    """Part of the cache key: the base spec's content (a moving base ref must re-run the diff)."""
    ref = options.get("base-ref")
    if not ref:
        return "no-base"
    try:
        text = spec_at(src, ref)
    except UsageError:
        return f"unresolved:{ref}"
    return "no-spec" if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def breaking_changes(output: str) -> list[Break]:
    """The breaking differences in openapi-diff's report (its JSON follows a one-line header)."""
    start = output.find("{")
    if start < 0:
        return []
    report: dict[str, Any] = json.loads(output[start:])
    found = []
    for difference in report.get("breakingDifferences", []):
        details = difference.get("sourceSpecEntityDetails") or difference.get("destinationSpecEntityDetails")
        location = details[0].get("location", "?") if details else "?"
        found.append(Break(difference.get("code", "?"), location))
    return found


def accepted_breaks(src: Path) -> set[Break]:
    """Accepted breaking changes; an entry without a reason is refused (ValueError naming it)."""
    path = src / ACCEPTED_BREAKS
    if not path.is_file():
        return set()
    accepted = set()
    for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("accepted", []):
        if not str(entry.get("reason", "")).strip():
            raise ValueError(f"{ACCEPTED_BREAKS}: entry {entry!r} has no reason; say why the break is safe")
        accepted.add(Break(str(entry.get("code", "")), str(entry.get("location", ""))))
    return accepted


def write_report(
    ctx: StepContext, ref: str | None, breaks: list[Break] | None, accepted: set[Break], note: str = ""
) -> None:
    """REPORT: the breaking changes against `ref` (None: not compared, `note` says why)."""
    lines = [f"# OpenAPI breaking changes: `{SPEC}`", ""]
    if breaks is None:
        lines.append(f"Not compared: {note}")
    else:
        unaccepted = [change for change in breaks if change not in accepted]
        lines.append(
            f"Against `{ref}`: {len(breaks)} breaking change(s), {len(unaccepted)} not accepted in "
            f"`{ACCEPTED_BREAKS}`."
        )
        if breaks:
            lines += ["", "| verdict | code | location |", "| --- | --- | --- |"]
            lines += [
                f"| {'accepted' if change in accepted else '**not accepted**'} | `{change.code}` | "
                f"`{change.location}` |"
                for change in breaks
            ]
        if note:
            lines += ["", note]
    (ctx.report_dir / REPORT).write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(ctx: StepContext) -> StepOutcome:
    (ctx.report_dir / REPORT).unlink(missing_ok=True)
    outcome = _check(ctx)
    if not (ctx.report_dir / REPORT).is_file():
        write_report(ctx, ctx.option("base-ref"), None, set(), f"the check stopped first: {outcome.message}")
    return outcome


def _check(ctx: StepContext) -> StepOutcome:
    if not (ctx.src / SPEC).is_file():
        return ctx.failed(
            f"{SPEC} is missing: the API contract must be committed", details=[f"{SPEC}: not found"]
        )
    valid = ctx.run(["openapi-spec-validator", SPEC])
    if not valid.ok:
        return ctx.failed(f"{SPEC} is not a valid OpenAPI document", valid)
    drift = ctx.run(["python", "-m", "careervp_local.openapi", "--check", SPEC])
    if not drift.ok:
        return ctx.failed(
            f"{SPEC} differs from the code (regenerate with python -m careervp_local.openapi --write {SPEC})",
            drift,
        )
    ref = ctx.option("base-ref")
    if not ref:
        write_report(ctx, None, None, set(), "no --base-ref was given")
        return ctx.passed(
            "spec valid and in step with the code", notes=["no --base-ref: breaking changes not checked"]
        )
    try:
        base_text = spec_at(ctx.src, ref)
    except UsageError as error:
        write_report(ctx, ref, None, set(), str(error))
        return ctx.failed(f"--base-ref {ref!r}: the base's contract cannot be read", details=[str(error)])
    if base_text is None:
        write_report(ctx, ref, None, set(), f"{ref} has no {SPEC}")
        return ctx.passed(
            "spec valid and in step with the code", notes=[f"{ref} has no {SPEC}: nothing to break"]
        )
    with tempfile.TemporaryDirectory() as scratch:
        base_spec, head_spec = Path(scratch) / "base-openapi.json", Path(scratch) / "openapi.json"
        base_spec.write_text(as_openapi_30(base_text), encoding="utf-8")
        head_spec.write_text(as_openapi_30((ctx.src / SPEC).read_text(encoding="utf-8")), encoding="utf-8")
        diff = ctx.run(["npx", "--no-install", "openapi-diff", str(base_spec), str(head_spec)])
    (ctx.report_dir / "openapi-diff.txt").write_text(diff.output, encoding="utf-8")
    try:
        breaks = breaking_changes(diff.output)
    except ValueError:
        breaks = []
    if diff.returncode not in (0, 1) or (diff.returncode == 1 and not breaks):
        return ctx.failed("openapi-diff could not compare the specs", diff)
    try:
        accepted = accepted_breaks(ctx.src)
    except ValueError as error:
        write_report(ctx, ref, breaks, set(), f"the accepted-breaks file is invalid: {error}")
        return ctx.failed("the accepted-breaks file is invalid", details=[str(error)])
    write_report(ctx, ref, breaks, accepted)
    unaccepted = [change for change in breaks if change not in accepted]
    if unaccepted:
        return ctx.failed(
            f"breaking API changes against {ref} (accept them with a reason in {ACCEPTED_BREAKS})",
            diff,
            details=[change.describe() for change in unaccepted],
        )
    notes = [f"accepted breaking change: {change.code} at {change.location}" for change in breaks]
    return ctx.passed(f"spec valid, no drift, no unaccepted breaking change against {ref}", notes=notes)


STEP = Step(
    name="openapi",
    summary="OpenAPI spec valid, no drift from code, breaking changes vs --base-ref fail unless accepted",
    run=run,
    inputs=("docs/specs/**", *BACKEND_SOURCES, *PROJECT_CONFIG),
    options=(Option("base-ref", "git ref whose committed spec is the baseline for breaking changes"),),
    tools=("openapi-spec-validator", "openapi-diff"),
    key_extra=base_fingerprint,
    reports=("openapi-diff.txt", REPORT),
)
