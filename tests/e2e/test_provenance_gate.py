"""Every road to a stack refuses an artifact without provenance, against a moto server on 127.0.0.1.

`deploy`, `promote`, `hotfix` and `rollback` each meet an artifact whose provenance statement is missing
from the store, or names another commit than the artifact's manifest records, and each refuses it naming the
digest and what is wrong, before any stack is touched: the target's stack and its ledger are exactly as they
were. The artifacts are small real ones (a one-stack assembly packed canonically, its statement beside it,
as `careervp-ci build` leaves them), then the statement is taken away or replaced. The happy path (a real
build's statement accepted) is every deploy of the release flow, rollback and hotfix suites.

The hotfix road runs in-process with its validation and build stood in for (the suite of its own,
test_hotfix_flow.py, validates and builds for real, and a real build always writes a statement): what is
under test here is that the hotfix's deploy passes the same check.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from careervp_ci.release import provenance
from careervp_ci.release.artifact import parse_digest, sha256_file
from careervp_ci.release.build import BuildResult
from careervp_ci.release.cloudformation import AwsSession, StackFiles, deploy_stack, describe, stack_tags
from careervp_ci.release.emulator import EMULATOR_ACCOUNT, EMULATOR_CREDENTIALS
from careervp_ci.release.errors import ReleaseFailed
from careervp_ci.release.hotfix import Validation, hotfix
from careervp_ci.release.ledger import Entry, Ledger, now
from careervp_ci.release.service import Release
from careervp_ci.release.state import StateDir
from careervp_ci.release.store import FolderBackend, provenance_name
from support.release_artifacts import REPO, one_stack_artifact
from support.release_cli import Built, cli, write_emulator_targets

COMMIT = "f" * 40
"""What the artifacts' manifests record (`one_stack_artifact`'s default)."""
OTHER = "0123456789" * 4


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory, emulator: str) -> Iterator[Path]:
    """The release state dir; dev and staging (promoted from dev) on the module's emulator."""
    home = tmp_path_factory.mktemp("provenance-gate")
    targets = write_emulator_targets(home / "targets.toml", emulator, ("dev", "staging"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAREERVP_TARGETS", str(targets))
        patch.setenv("CAREERVP_STATE_DIR", str(home / "state"))
        patch.setenv("STRIPE_WEBHOOK_SECRET", "test-webhook-secret-provenance_" + "0" * 24)
        yield home / "state"


def session(emulator: str) -> AwsSession:
    return AwsSession("us-east-1", emulator, dict(EMULATOR_CREDENTIALS), EMULATOR_ACCOUNT)


def stack_of(env: str) -> str:
    return f"careervp-{env}-service-stack"


def ledger(state: Path) -> Ledger:
    return Ledger(FolderBackend(state / "artifacts"))


def snapshot(state: Path, emulator: str, env: str) -> tuple[str | None, int]:
    """What a refusal must leave as it was: the digest the env's stack runs (None: no stack), its ledger."""
    stack = describe(session(emulator), stack_of(env))
    return (stack_tags(stack).get("digest") if stack else None), len(ledger(state).entries(env))


def artifact(state: Path, env: str, work: Path, value: str) -> str:
    """A one-stack artifact for `env`'s stack, stored with its statement as a build leaves it."""
    properties = {"Type": "String", "Name": f"/provenance/{value}", "Value": value}
    parameter = {"Type": "AWS::SSM::Parameter", "Properties": properties}
    return one_stack_artifact(state / "artifacts", stack_of(env), {"Marker": parameter}, work)


def statement_of(state: Path, digest: str) -> Path:
    return state / "artifacts" / provenance_name(parse_digest(digest))


def remove(state: Path, digest: str) -> str:
    statement_of(state, digest).unlink()
    return "the statement is missing"


def recommit(state: Path, digest: str) -> str:
    made = provenance.statement(parse_digest(digest), commit=OTHER, ref="", tree=REPO, dirty=False, seconds=0)
    statement_of(state, digest).write_bytes(provenance.encode(made))
    return f"the statement names commit {OTHER}, but the artifact records commit {COMMIT}"


PROBLEMS = {"missing": remove, "another-commit": recommit}


def seeded(state: Path, emulator: str, work: Path, road: str) -> str:
    """An artifact for `env`; for a promotion it passed dev and runs there (deployed before statements
    were checked), for a rollback it passed staging before."""
    digest = artifact(state, "staging" if road == "rollback" else "dev", work, road)
    if road == "promote":
        files = StackFiles.find(work / "bundle-0" / "assembly", stack_of("dev"))
        tags = {"digest": digest, "commit": COMMIT, "ref": "", "run": "seed"}
        deploy_stack(files, session(emulator), print, tags, role_arn=None)  # seeded by hand
        ledger(state).record(
            Entry("dev", digest, COMMIT, now(), "succeeded", "emulator", "seeded: passed dev")
        )
    if road == "rollback":
        ledger(state).record(
            Entry("staging", digest, COMMIT, now(), "succeeded", "emulator", "seeded: passed")
        )
    return digest


class PassingValidation(Validation):
    """Stands in for the hotfix's validation (test_hotfix_flow.py runs the real one)."""

    def run(self, tree: Path, reports: Path) -> tuple[bool, str]:
        return True, "validation stood in for"


def hotfixed(digest: str) -> str:
    """A hotfix of this checkout's HEAD whose build gives `digest` (a reproducible build of the same
    bundle) with its statement gone or wrong; the refusal."""

    class Rebuilt(Release):
        def build(
            self, src: Path | None = None, ref: str | None = None, commit: str | None = None, label: str = ""
        ) -> BuildResult:
            return BuildResult(parse_digest(digest), Path("unused.tar"), COMMIT, False, 0.0)

    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    )
    with pytest.raises(ReleaseFailed) as refused:
        hotfix(
            Rebuilt(StateDir.from_env(), REPO),
            "HEAD",
            "dev",
            validation=PassingValidation(steps=("lint",)),
            checked_out=head.stdout.strip(),
        )
    return str(refused.value)


def refused(*args: str) -> str:
    result = cli(*args)
    assert result.code == 1, result.err
    return result.err


ROADS: dict[str, tuple[str, Callable[[str], str]]] = {
    "deploy": ("dev", lambda digest: refused("deploy", "--env", "dev", "--artifact", digest)),
    "promote": ("staging", lambda _: refused("promote", "--from", "dev", "--to", "staging")),
    "hotfix": ("dev", hotfixed),
    "rollback": ("staging", lambda digest: refused("rollback", "--env", "staging", "--to", digest)),
}
"""Each road: the environment it goes to, and how it takes the seeded digest there (its refusal)."""


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("road", ROADS)
def test_every_road_refuses_an_artifact_whose_provenance_does_not_prove_it(
    road: str, problem: str, emulator: str, state: Path, tmp_path: Path
) -> None:
    env, take = ROADS[road]
    digest = seeded(state, emulator, tmp_path, road)
    wrong = PROBLEMS[problem](state, digest)
    before = snapshot(state, emulator, env)

    error = take(digest)

    assert f"{digest} has no usable provenance in {state / 'artifacts'}: {wrong}" in error
    assert "nothing was deployed" in error
    assert snapshot(state, emulator, env) == before, f"the refused {road} touched {env}'s stack or ledger"


@pytest.mark.slow  # the session's real build of HEAD
def test_a_real_build_keeps_a_statement_naming_its_digest_commit_and_lockfiles(built: Built) -> None:
    statement = provenance.require_provenance(
        built.provenance.read_bytes(), parse_digest(built.digest), built.commit, str(built.provenance)
    )

    source, *locks = statement["predicate"]["buildDefinition"]["resolvedDependencies"]
    assert source["digest"] == {"gitCommit": built.commit}
    assert locks == [
        {"name": name, "digest": {"sha256": sha256_file(built.clone / name)}} for name in provenance.LOCKFILES
    ]
