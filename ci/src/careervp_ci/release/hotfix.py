"""`hotfix --ref REF --env ENV`: ship a ref through the same gates as everything else.

The inputs are checked first (environment, the deploy secrets, the ref: a refusal runs nothing), then the
ref is checked out in a throwaway worktree and validated there: by default with the host pipeline's `pr`
profile (`careervp-ci ci --profile pr`; to an approval-gated environment the `main` profile, regression
and audit included), or with another profile, or with named steps only (`--steps lint,
format`: each step with the steps it needs), for a fix whose wider bar ran elsewhere. The validation's
reports are kept under `<state>/reports/hotfix/`. A failed validation stops the hotfix before anything is
built or deployed. The commit is then built from a fresh worktree (nothing the validation left behind can
reach the artifact) and deployed with `Release.deploy` (same secrets, lock, approval and post-deploy
checks; as a hotfix, it skips `promote_from`, and the ledger says so). Builds are reproducible, so a
hotfix to prod can stop at the approval gate, be approved by digest, and be run again to the same digest.

With `--commit SHA` the tree is already the ref's checkout (the runner's `actions/checkout` with `ref:`,
then the Dagger container, which has no git to check anything out): the ref must name exactly that commit,
and the tree is validated and built as it is. The history is only read (`careervp_ci.history`).

Prod is one gate whatever the road: to an environment that requires approval, a hotfix goes through the
same change set -> reviewed approval -> deploy as a tag, and its ref must be on main or carry a release
tag (`v*`); anything else is refused before any work unless `--override-ref REASON` is given, and the
reason is recorded in the ledger with the ref label.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from careervp_ci.errors import CareervpError
from careervp_ci.history import RefError, commit_id, release_line, resolve_commit
from careervp_ci.pipeline.resolve import profile_named
from careervp_ci.pipeline.steps.catalogue import CATALOGUE
from careervp_ci.release.deploy import Deployed
from careervp_ci.release.errors import ReleaseFailed, ReleaseRefused
from careervp_ci.release.gitref import worktree
from careervp_ci.release.ledger import now
from careervp_ci.release.service import Release
from careervp_ci.release.targets import REQUIRED_SECRETS, Target

CLOUD_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")


def validation_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` without the deploy secrets and cloud credentials a hotfix holds: the ref is validated as a
    pull request is, and its tests neither see the secret nor change behaviour because it is set."""
    hidden = {*REQUIRED_SECRETS, *CLOUD_CREDENTIALS}
    return {name: value for name, value in environ.items() if name not in hidden}


@dataclass(frozen=True)
class Validation:
    """What runs on the ref before it is built: a profile, or (when `steps` is given) those steps. No
    profile named: `main` (regression and audit included) to an approval-gated environment, else `pr`."""

    profile: str = ""
    steps: tuple[str, ...] = ()

    def for_target(self, target: Target) -> Validation:
        """This validation with its default profile resolved for `target`."""
        if self.steps or self.profile:
            return self
        return Validation(profile="main" if target.requires_approval else "pr")

    def check(self) -> None:
        """Refuse an unknown profile or step before anything runs."""
        if self.steps:
            unknown = [step for step in self.steps if step not in CATALOGUE]
            if unknown:
                raise ReleaseRefused(
                    f"hotfix --steps: unknown step {', '.join(map(repr, unknown))}; "
                    f"valid steps: {', '.join(CATALOGUE)}"
                )
        else:
            try:
                profile_named(self.profile)
            except CareervpError as error:
                raise ReleaseRefused(f"hotfix --profile: {error}") from error

    def describe(self) -> str:
        return f"steps {', '.join(self.steps)}" if self.steps else f"profile {self.profile!r}"

    def run(self, tree: Path, reports: Path) -> tuple[bool, str]:
        """Run on `tree`, reports into `reports`; (passed, the tail of the failing or last run's output)."""
        cli = str(Path(sys.executable).parent / "careervp-ci")
        runs = (
            [([cli, step, "--src", str(tree), "--reports", str(reports / step)]) for step in self.steps]
            if self.steps
            else [[cli, "ci", "--profile", self.profile, "--src", str(tree), "--reports", str(reports)]]
        )
        output = ""
        for argv in runs:
            done = subprocess.run(
                argv, env=validation_environment(os.environ), capture_output=True, text=True, check=False
            )
            output = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
            if done.returncode != 0:
                return False, output
        return True, output


def admit_ref(release: Release, ref: str, env: str, override: str = "") -> tuple[str, str]:
    """The commit `ref` names, if it may go to `env`, and the note to record: an approval-gated environment
    takes only a commit on main or a release tag, unless an override reason is given (and recorded)."""
    target = release.target_for(env)
    try:
        commit = resolve_commit(release.repo, ref)
    except RefError as error:
        raise ReleaseRefused(str(error)) from None
    if not target.requires_approval:
        release.log(f"hotfix: {ref} ({commit[:12]}) may go to {env} (no approval gate)")
        return commit, ""
    line = release_line(release.repo, commit)
    if line:
        release.log(f"hotfix: {ref} ({commit[:12]}) is {line}: it may go to {env}")
        return commit, ""
    if override.strip():
        note = f"ref override: {override.strip()}"
        release.log(f"hotfix: {ref} ({commit[:12]}) is not on the release line; {note}")
        return commit, note
    raise ReleaseRefused(
        f"hotfix to {env} refuses {ref!r} ({commit[:12]}): it is neither on main nor a release tag "
        f"(v*). Merge the fix to main or tag it, or pass --override-ref 'REASON' (the reason is "
        "recorded in the ledger); nothing was validated, built or deployed"
    )


def hotfix(
    release: Release,
    ref: str,
    env: str,
    *,
    validation: Validation | None = None,
    approval: Path | None = None,
    override: str = "",
    checked_out: str | None = None,
) -> Deployed:
    """Validate, build and deploy `ref` to `env`; raises ReleaseRefused/ReleaseFailed like `deploy`.
    `checked_out`: the commit the repository's tree already is (`--commit`), validated and built in place."""
    target = release.target_for(env)
    validation = (validation or Validation()).for_target(target)
    validation.check()
    release.require_secrets(target, deploying=True)
    commit, note = admit_ref(release, ref, env, override)
    if checked_out is not None:
        _require_checked_out(ref, commit, checked_out)
    reports = release.state.reports / "hotfix" / f"{now().replace(':', '')}-{commit[:12]}"
    release.log(f"hotfix: {ref} is commit {commit[:12]}; validating it with {validation.describe()}")
    if checked_out is None:
        with worktree(release.repo, commit) as tree:
            _validate(release, validation, tree, reports, f"{ref} ({commit[:12]})")
        result = release.build(ref=commit, label=ref)
    else:
        _validate(release, validation, release.repo, reports, f"{ref} ({commit[:12]})")
        result = release.build(commit=commit, label=ref)
    release.log(f"hotfix: built {result.digest} from {commit[:12]}")
    return release.deploy(env, str(result.digest), approval=approval, ref=ref, note=note, road="hotfix")


def _require_checked_out(ref: str, commit: str, checked_out: str) -> None:
    """The tree given as the ref's checkout must be the commit the ref names."""
    try:
        given = commit_id(checked_out)
    except RefError as error:
        raise ReleaseRefused(str(error)) from None
    if given != commit:
        raise ReleaseRefused(
            f"hotfix --commit {given[:12]} is not the commit {ref!r} names ({commit[:12]}): check {ref} out "
            "(actions/checkout `ref:`) and pass that checkout's commit; nothing was validated, built or "
            "deployed"
        )


def _validate(release: Release, validation: Validation, tree: Path, reports: Path, label: str) -> None:
    """Run the validation on `tree`; a ReleaseFailed naming it when it fails (nothing built or deployed)."""
    passed, output = validation.run(tree, reports)
    if not passed:
        raise ReleaseFailed(
            f"hotfix {label} failed validation ({validation.describe()}); nothing was built or deployed; "
            f"reports in {reports}:\n{output}"
        )
    release.log(f"hotfix: {validation.describe()} passed on {label}; reports in {reports}")
