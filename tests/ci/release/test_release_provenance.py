"""The artifact's provenance on its own: the statement's shape against the in-toto Statement v1 and SLSA
Provenance v1 specs, its content (digest, commit, ref, lockfiles, builder), the check every deploy road makes,
and `publish` carrying the statement with the artifact. Fast: no build, no deploy (the roads' refusals
against the emulator: tests/e2e/test_provenance_gate.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from careervp_ci.release import provenance
from careervp_ci.release.artifact import ArtifactError, Digest, parse_digest, write_canonical_tar
from careervp_ci.release.building import publish_artifact
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.errors import ReleaseFailed
from careervp_ci.release.scratch import host
from careervp_ci.release.state import StateDir
from careervp_ci.release.store import provenance_name

DIGEST = parse_digest("sha256:" + "ab" * 32)
COMMIT = "c0ffee" * 6 + "abcd"
OTHER_COMMIT = "d" * 40

# The specs' field names, per object: (required, allowed). Statement v1:
# https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md; ResourceDescriptor:
# .../spec/v1/resource_descriptor.md; SLSA Provenance v1: https://slsa.dev/spec/v1.0/provenance (its
# provenance.proto: BuildDefinition, ResourceDescriptor, RunDetails, Builder, BuildMetadata).
Shape = tuple[set[str], set[str]]
STATEMENT: Shape = (
    {"_type", "subject", "predicateType", "predicate"},
    {"_type", "subject", "predicateType", "predicate"},
)
RESOURCE: Shape = (
    set(),
    {"uri", "digest", "name", "downloadLocation", "mediaType", "content", "annotations"},
)
PREDICATE: Shape = ({"buildDefinition", "runDetails"}, {"buildDefinition", "runDetails"})
BUILD_DEFINITION: Shape = (
    {"buildType", "externalParameters"},
    {"buildType", "externalParameters", "internalParameters", "resolvedDependencies"},
)
RUN_DETAILS: Shape = ({"builder"}, {"builder", "metadata", "byproducts"})
BUILDER: Shape = ({"id"}, {"id", "version", "builderDependencies"})
METADATA: Shape = (set(), {"invocationId", "startedOn", "finishedOn"})


def conforms(value: dict[str, Any], shape: Shape, where: str) -> list[str]:
    required, allowed = shape
    problems = [f"{where}: missing {name}" for name in sorted(required - value.keys())]
    return problems + [f"{where}: unknown field {name}" for name in sorted(value.keys() - allowed)]


def spec_problems(found: dict[str, Any]) -> list[str]:
    """Every way `found` differs from the specs' JSON shape (field names, required fields, value kinds)."""
    problems = conforms(found, STATEMENT, "statement")
    for index, subject in enumerate(found["subject"]):
        problems += conforms(subject, RESOURCE, f"subject[{index}]")
        if not subject.get("digest"):
            problems.append(f"subject[{index}]: a subject MUST have a digest")
    predicate = found["predicate"]
    problems += conforms(predicate, PREDICATE, "predicate")
    definition = predicate["buildDefinition"]
    problems += conforms(definition, BUILD_DEFINITION, "buildDefinition")
    if not isinstance(definition["externalParameters"], dict):
        problems.append("buildDefinition.externalParameters: must be an object")
    for index, dependency in enumerate(definition.get("resolvedDependencies", [])):
        problems += conforms(dependency, RESOURCE, f"resolvedDependencies[{index}]")
        if not {"uri", "digest", "content"} & dependency.keys():
            problems.append(f"resolvedDependencies[{index}]: needs one of uri, digest, content")
    details = predicate["runDetails"]
    problems += conforms(details, RUN_DETAILS, "runDetails")
    problems += conforms(details["builder"], BUILDER, "runDetails.builder")
    problems += conforms(details.get("metadata", {}), METADATA, "runDetails.metadata")
    for stamp in ("startedOn", "finishedOn"):
        if not str(details.get("metadata", {}).get(stamp, "Z")).endswith("Z"):
            problems.append(f"runDetails.metadata.{stamp}: must be an RFC 3339 UTC timestamp")
    return problems


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A source tree with the lockfiles the build reads."""
    root = tmp_path / "tree"
    (root / "frontend").mkdir(parents=True)
    (root / "uv.lock").write_text("version = 1\n")
    (root / "frontend" / "package-lock.json").write_text('{"lockfileVersion": 3}\n')
    return root


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


LOCAL: dict[str, str] = {}
GITHUB = {
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "careervp/careervp",
    "GITHUB_RUN_ID": "42",
    "GITHUB_RUN_ATTEMPT": "2",
    "GITHUB_REF": "refs/heads/main",
    "GITHUB_WORKFLOW_REF": "careervp/careervp/.github/workflows/deploy-dev.yml@refs/heads/main",
}


def made(tree: Path, environ: dict[str, str], ref: str = "", digest: Digest = DIGEST) -> dict[str, Any]:
    return provenance.statement(
        digest, commit=COMMIT, ref=ref, tree=tree, dirty=False, seconds=61.4, environ=environ
    )


@pytest.mark.parametrize("environ", [LOCAL, GITHUB], ids=["host", "github"])
def test_the_statement_has_exactly_the_specs_shape(tree: Path, environ: dict[str, str]) -> None:
    found = json.loads(provenance.encode(made(tree, environ)))

    assert spec_problems(found) == []
    assert found["_type"] == "https://in-toto.io/Statement/v1"
    assert found["predicateType"] == "https://slsa.dev/provenance/v1"


def test_the_shape_check_can_fail() -> None:
    assert spec_problems(
        {
            "_type": provenance.STATEMENT_TYPE,
            "subject": [{"name": "x"}],
            "predicateType": provenance.PREDICATE_TYPE,
            "predicate": {
                "buildDefinition": {"buildType": "x", "externalParameters": {}, "resolved": []},
                "runDetails": {"builder": {"builderId": "x"}},
            },
        }
    ) == [
        "subject[0]: a subject MUST have a digest",
        "buildDefinition: unknown field resolved",
        "runDetails.builder: missing id",
        "runDetails.builder: unknown field builderId",
    ]


def test_the_statement_names_the_digest_the_commit_the_ref_and_each_lockfile(tree: Path) -> None:
    found = made(tree, LOCAL, ref="v1.2.3")
    definition = found["predicate"]["buildDefinition"]

    assert found["subject"] == [{"name": f"sha256-{DIGEST.hex}.tar", "digest": {"sha256": DIGEST.hex}}]
    source, *locks = definition["resolvedDependencies"]
    assert source == {"uri": f"git+{tree.resolve().as_uri()}@v1.2.3", "digest": {"gitCommit": COMMIT}}
    assert locks == [
        {"name": "uv.lock", "digest": {"sha256": sha256(tree / "uv.lock")}},
        {
            "name": "frontend/package-lock.json",
            "digest": {"sha256": sha256(tree / "frontend/package-lock.json")},
        },
    ]
    assert definition["externalParameters"]["ref"] == "v1.2.3"
    metadata = found["predicate"]["runDetails"]["metadata"]
    assert metadata["startedOn"] < metadata["finishedOn"]


def test_on_a_runner_the_builder_is_the_workflow_run_and_the_ref_the_runners(tree: Path) -> None:
    found = made(tree, GITHUB)
    details = found["predicate"]["runDetails"]

    assert details["builder"]["id"] == (
        "https://github.com/careervp/careervp/.github/workflows/deploy-dev.yml@refs/heads/main"
    )
    assert (
        details["metadata"]["invocationId"]
        == "https://github.com/careervp/careervp/actions/runs/42/attempts/2"
    )
    source = found["predicate"]["buildDefinition"]["resolvedDependencies"][0]
    assert source["uri"] == "git+https://github.com/careervp/careervp@refs/heads/main"


def test_off_a_runner_the_builder_is_this_host(tree: Path) -> None:
    builder = made(tree, LOCAL)["predicate"]["runDetails"]["builder"]["id"]

    assert builder == f"urn:careervp:builder:host:{host()}"


def test_a_statement_for_this_digest_and_commit_passes(tree: Path) -> None:
    data = provenance.encode(made(tree, LOCAL))

    assert provenance.require_provenance(data, DIGEST, COMMIT, "store")["subject"][0]["digest"] == {
        "sha256": DIGEST.hex
    }


def refusal(data: bytes | None, commit: str = COMMIT) -> str:
    with pytest.raises(ReleaseFailed) as refused:
        provenance.require_provenance(data, DIGEST, commit, "s3://bucket/releases")
    message = str(refused.value)
    assert message.startswith(f"{DIGEST} has no usable provenance in s3://bucket/releases: ")
    assert "nothing was deployed" in message
    return message


def test_a_missing_statement_is_refused_naming_the_digest() -> None:
    assert "the statement is missing" in refusal(None)


def test_a_statement_naming_another_commit_is_refused_naming_both(tree: Path) -> None:
    message = refusal(provenance.encode(made(tree, LOCAL)), commit=OTHER_COMMIT)

    assert f"names commit {COMMIT}, but the artifact records commit {OTHER_COMMIT}" in message


def test_a_statement_about_another_digest_is_refused_naming_it(tree: Path) -> None:
    other = parse_digest("sha256:" + "cd" * 32)

    message = refusal(provenance.encode(made(tree, LOCAL, digest=other)))

    assert f"the statement is about {other}, not this artifact" in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"not json", "is not an in-toto SLSA statement"),
        (b'{"_type": "x"}', "is not an in-toto SLSA statement"),
    ],
)
def test_something_else_in_the_statements_place_is_refused(data: bytes, expected: str) -> None:
    assert expected in refusal(data)


def test_a_statement_of_another_predicate_type_is_refused(tree: Path) -> None:
    other = {**made(tree, LOCAL), "predicateType": "https://slsa.dev/provenance/v0.2"}

    assert "https://slsa.dev/provenance/v0.2" in refusal(provenance.encode(other))


@pytest.fixture
def release(tmp_path: Path) -> ReleaseContext:
    return ReleaseContext(StateDir(tmp_path / "state"), tmp_path, store_uri=str(tmp_path / "shared"))


def built_here(release: ReleaseContext, tmp_path: Path) -> Digest:
    """An artifact in this machine's store, as `build` leaves it but without a statement."""
    (tmp_path / "bundle").mkdir()
    (tmp_path / "bundle" / "manifest.json").write_text(json.dumps({"commit": COMMIT}))
    tar = tmp_path / "artifact.tar"
    write_canonical_tar(tmp_path / "bundle", tar)
    return release.local_store.put(tar)


def test_publish_carries_the_statement_with_the_artifact(
    release: ReleaseContext, tmp_path: Path, tree: Path
) -> None:
    digest = built_here(release, tmp_path)
    statement = provenance.encode(made(tree, LOCAL, digest=digest))
    release.local_store.put_provenance(digest, statement)

    publish_artifact(release, str(digest))

    assert (tmp_path / "shared" / provenance_name(digest)).read_bytes() == statement
    assert release.store.provenance(digest) == statement


def test_publish_refuses_an_artifact_built_without_provenance(
    release: ReleaseContext, tmp_path: Path
) -> None:
    digest = built_here(release, tmp_path)

    with pytest.raises(ArtifactError, match=f"artifact {digest} in .* has no provenance beside it"):
        publish_artifact(release, str(digest))

    assert not (tmp_path / "shared").exists() or not any((tmp_path / "shared").glob("sha256-*"))
