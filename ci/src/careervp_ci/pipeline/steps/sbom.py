"""`sbom`: CycloneDX 1.6 JSON bills of materials for what ships (Python runtime dependencies, from the
lockfile; the SPA's packages, from frontend/) and for the Node tooling, each validated against the 1.6
schema before it is published."""

from __future__ import annotations

from pathlib import Path

from careervp_ci.pipeline.steps import frontend
from careervp_ci.pipeline.steps.context import StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step

UV_EXPORT = ("uv", "export", "--frozen", "--format", "requirements-txt", "--no-emit-workspace")
CYCLONEDX_PY = ("cyclonedx-py", "requirements", "--spec-version", "1.6", "--output-format", "JSON")
CYCLONEDX_NPM = (
    "npx",
    "--no-install",
    "@cyclonedx/cyclonedx-npm",
    "--spec-version",
    "1.6",
    "--output-format",
    "JSON",
)
PYTHON_SBOM = "python.cdx.json"
NODE_SBOM = "node.cdx.json"
FRONTEND_SBOM = "frontend.cdx.json"
NODE_MANIFESTS = ((NODE_SBOM, "package.json"), (FRONTEND_SBOM, "frontend/package.json"))


def schema_errors(sbom: Path) -> str | None:
    """The first CycloneDX 1.6 schema violation in `sbom`, or None when it is valid."""
    # Imported here: the step catalogue loads in the Dagger module runtime, which has no cyclonedx.
    from cyclonedx.schema import OutputFormat, SchemaVersion  # noqa: PLC0415
    from cyclonedx.validation import make_schemabased_validator  # noqa: PLC0415

    validator = make_schemabased_validator(OutputFormat.JSON, SchemaVersion.V1_6)
    error = validator.validate_str(sbom.read_text(encoding="utf-8"))
    return None if error is None else str(error)[:500]


def run(ctx: StepContext) -> StepOutcome:
    requirements = ctx.report_dir / "requirements.runtime.txt"
    exported = ctx.run([*UV_EXPORT, "--no-dev", "-o", str(requirements)])
    if not exported.ok:
        return ctx.failed("uv export could not list the locked runtime dependencies", exported)
    python_sbom = ctx.report_dir / PYTHON_SBOM
    made = ctx.run([*CYCLONEDX_PY, "--output-file", str(python_sbom), str(requirements)])
    if not made.ok:
        return ctx.failed("cyclonedx-py could not write the Python SBOM", made)
    sboms = [python_sbom]
    for name, manifest in NODE_MANIFESTS:
        if not (ctx.src / manifest).with_name("package-lock.json").is_file():
            continue
        if manifest == f"{frontend.FRONTEND}/package.json" and (failed := frontend.install(ctx)):
            # cyclonedx-npm reads the installed tree (`npm ls`): a job that built no SPA has none yet.
            return ctx.failed("npm ci could not install the SPA's packages for its SBOM", failed)
        node_sbom = ctx.report_dir / name
        node = ctx.run([*CYCLONEDX_NPM, "--output-file", str(node_sbom), manifest])
        if not node.ok:
            return ctx.failed(f"cyclonedx-npm could not write the SBOM of {manifest}", node)
        sboms.append(node_sbom)
    invalid = [f"{sbom.name}: {error}" for sbom in sboms if (error := schema_errors(sbom))]
    if invalid:
        return ctx.failed("an SBOM does not validate against CycloneDX 1.6", details=invalid)
    return ctx.passed(
        f"{len(sboms)} CycloneDX 1.6 SBOM(s) written and validated: {', '.join(s.name for s in sboms)}"
    )


STEP = Step(
    name="sbom",
    summary="CycloneDX 1.6 JSON SBOMs (Python runtime from uv.lock, Node tools, the SPA), schema-validated",
    run=run,
    inputs=(
        "uv.lock",
        "pyproject.toml",
        "package.json",
        "package-lock.json",
        "frontend/package.json",
        "frontend/package-lock.json",
    ),
    tools=("cyclonedx-bom", "cyclonedx-python-lib", "@cyclonedx/cyclonedx-npm"),
    reports=(PYTHON_SBOM, NODE_SBOM, FRONTEND_SBOM),
)
