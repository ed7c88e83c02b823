"""The GitHub environments' settings held to the environment registry (`infra/environments.toml`).

The registry names each GitHub environment and the secret there holding its AWS role; the settings files
(`.github/settings/environments/<name>.json`) say who may deploy from it and which secrets it holds. Each
side must know exactly the other's environments, each file must list its own role's secret and no other
environment's, and GitHub's required reviewers must stand exactly where the release requires an approval.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from careervp_infra.environments import Environments

FOLDER = ".github/settings/environments"


class ConfiguredEnvironment(Protocol):
    """What a settings file says of a GitHub environment (`github.settings.Environment`)."""

    @property
    def body(self) -> Mapping[str, Any]: ...

    @property
    def secrets(self) -> tuple[str, ...]: ...


def registry_problems(src: Path, configured: Mapping[str, ConfiguredEnvironment]) -> list[str]:
    """Every disagreement between the settings of the tree at `src` and its registry; empty = in step.

    An unreadable registry is one more problem. The infra package (and pydantic) is imported here, not above:
    the `workflows` step imports this module, and the Dagger module's runtime, which loads every step, has
    neither (`github-settings --check` itself runs on the host).
    """
    from careervp_infra.environments import REGISTRY, EnvironmentConfigError, read_environments  # noqa: PLC0415

    try:
        registry = read_environments(src / REGISTRY)
    except EnvironmentConfigError as error:
        return [str(error)]
    return disagreements(registry, configured, REGISTRY)


def disagreements(
    registry: Environments, configured: Mapping[str, ConfiguredEnvironment], source: str
) -> list[str]:
    """What `configured` (the settings files) and `registry` (read from `source`) disagree on."""
    declared = registry.github_environments
    problems = [
        f"{FOLDER}/{name}.json: no environment of {source} names the GitHub environment {name!r} "
        f"(named there: {', '.join(declared)})"
        for name in configured
        if name not in declared
    ]
    roles = set(registry.role_secrets)
    for name, github in declared.items():
        where = f"{FOLDER}/{name}.json"
        settings = configured.get(name)
        if settings is None:
            problems.append(
                f"{source}: {github.environment.name} names the GitHub environment {name!r}, which "
                f"{FOLDER}/ does not define"
            )
            continue
        if github.role_secret not in settings.secrets:
            problems.append(
                f"{where} does not list {github.role_secret}, the secret of its role ({source}: "
                f"{github.environment.name})"
            )
        foreign = sorted(roles & set(settings.secrets) - {github.role_secret})
        if foreign:
            problems.append(f"{where} lists {', '.join(foreign)}: another GitHub environment's role")
        gated = github.environment.requires_approval and not github.read_only
        reviewed = bool(settings.body.get("reviewers"))
        if gated and not reviewed:
            problems.append(
                f"{where} has no required reviewers, but {github.environment.name} requires an approval "
                f"({source}): its deploys would wait for no one on GitHub"
            )
        if reviewed and not gated:
            problems.append(
                f"{where} has required reviewers, but {source} declares no approval for its jobs "
                f"({github.environment.name}{', read-only' if github.read_only else ''}): set "
                "requires_approval there, or drop the reviewers"
            )
    return problems
