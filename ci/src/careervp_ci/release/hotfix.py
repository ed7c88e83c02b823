"""`hotfix --ref REF --env ENV`: ship a ref through the same gates as everything else.

The ref is validated first (an unknown ref is refused before anything runs), checked out in a throwaway
worktree, validated there with the host pipeline's profile (`careervp-ci ci --profile pr --src WORKTREE`),
built into an artifact, and deployed with `Release.deploy` (same secrets, lock, approval and post-deploy
checks). Builds are reproducible, so a hotfix to prod can stop at the approval gate, be approved by digest,
and be run again to the same digest.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from careervp_ci.release.gitref import RefError, resolve_commit, worktree
from careervp_ci.release.service import Deployed, Release, ReleaseFailed, ReleaseRefused

Validator = Callable[[Path, str], tuple[bool, str]]


def validate_with_profile(tree: Path, profile: str) -> tuple[bool, str]:
    """Run the host pipeline's profile on the worktree; (passed, the tail of its output)."""
    cli = Path(sys.executable).parent / "careervp-ci"
    done = subprocess.run(
        [str(cli), "ci", "--profile", profile, "--src", str(tree)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode == 0, "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])


def hotfix(
    release: Release,
    ref: str,
    env: str,
    *,
    profile: str = "pr",
    validate: Validator = validate_with_profile,
    approval: Path | None = None,
) -> Deployed:
    release.target_for(env)
    try:
        commit = resolve_commit(release.repo, ref)
    except RefError as error:
        raise ReleaseRefused(str(error)) from None
    release.log(f"hotfix: {ref} is commit {commit[:12]}; validating it with profile {profile!r}")
    with worktree(release.repo, commit) as tree:
        passed, output = validate(tree, profile)
        if not passed:
            raise ReleaseFailed(
                f"hotfix {ref} ({commit[:12]}) failed validation (profile {profile}):\n{output}"
            )
        result = release.build(src=tree)
    release.log(f"hotfix: built {result.digest} from {commit[:12]}")
    return release.deploy(env, str(result.digest), approval=approval)
