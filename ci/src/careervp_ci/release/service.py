"""The release as one object, for what drives a whole release from a ref (release.hotfix): the context every
command works with (release.context) plus the two steps a hotfix chains, build and deploy."""

from __future__ import annotations

from pathlib import Path

from careervp_ci.release.build import BuildResult
from careervp_ci.release.building import build_artifact
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.deploy import Deployed, Road, deploy


class Release(ReleaseContext):
    def build(
        self, src: Path | None = None, ref: str | None = None, commit: str | None = None, label: str = ""
    ) -> BuildResult:
        return build_artifact(self, src=src, ref=ref, commit=commit, label=label)

    def deploy(
        self,
        env: str,
        digest_text: str,
        *,
        approval: Path | None = None,
        ref: str = "",
        note: str = "",
        road: Road = "deploy",
    ) -> Deployed:
        return deploy(self, env, digest_text, approval=approval, ref=ref, note=note, road=road)
