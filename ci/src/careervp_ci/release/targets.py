"""Where a release deploys: each environment of the registry (`infra/environments.toml`) as a deploy target.

The registry says what each environment is and which gates stand in front of it. A run may bind some of
them to AWS emulators instead, with a targets file named by $CAREERVP_TARGETS (the end-to-end tests, the
rehearsal and `release-local` do): it names, for this run, the environments reachable and the running
emulator each deploys to, and nothing else (the ledger then records target "emulator", never "aws"):

    [targets.dev]
    endpoint = "http://localhost:4566"   # a running emulator; without it, the command starts its own
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from careervp_infra.environments import (
    REGISTRY,
    Environment,
    EnvironmentConfigError,
    Environments,
    Kind,
    SmokeScope,
    load_environments,
)
from pydantic import BaseModel, ConfigDict, ValidationError

from careervp_ci.errors import UsageError

TARGETS_ENV = "CAREERVP_TARGETS"
REQUIRED_SECRETS = ("STRIPE_WEBHOOK_SECRET",)
"""Secrets every deploy needs in its environment: the smoke's webhook replay is signed with this one."""
MODEL_KEY_SECRET = "ANTHROPIC_API_KEY"  # noqa: S105 (the variable's name)
"""A deploy's secret only (deploy, promote, hotfix): it is stored in the environment's Secrets Manager, where
the functions that call the model read it. Required for AWS targets; an emulator never calls the real model
(its smoke serves the Messages-API stand-in), so a deploy there stores a given value, else keeps the key the
emulator has or stores a throwaway one."""


class TargetError(UsageError):
    """The targets file is invalid or the environment asked for is not a target of this run."""


class _Binding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    endpoint: str | None = None


class _TargetsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    targets: dict[str, _Binding]


@dataclass(frozen=True)
class Target:
    """One release environment: its name, the stack it deploys and where."""

    name: str
    kind: Kind
    stack_env: str
    region: str
    endpoint: str | None
    promote_from: str | None
    requires_approval: bool
    protected: bool
    smoke: SmokeScope = "full"
    """"read-only": its smoke runs only the checks that change nothing (`read_only`), signed in as one
    dedicated test user (no throwaway sign-ups); "full": every check, as a throwaway user."""

    @property
    def read_only_smoke(self) -> bool:
        return self.smoke == "read-only"

    @property
    def stack_name(self) -> str:
        return f"careervp-{self.stack_env}-service-stack"

    @property
    def ephemeral(self) -> bool:
        """An emulator this command starts and stops: nothing survives the command."""
        return self.kind == "emulator" and self.endpoint is None

    def describe(self) -> str:
        where = (
            "AWS" if self.kind == "aws" else f"AWS emulator at {self.endpoint or '127.0.0.1 (this command)'}"
        )
        return f"{self.name} ({self.stack_name} on {where}, {self.region})"


def _target(env: Environment, *, emulated: bool = False, endpoint: str | None = None) -> Target:
    return Target(
        name=env.name,
        kind="emulator" if emulated else env.kind,
        stack_env=env.stack,
        region=env.region,
        endpoint=endpoint,
        promote_from=env.promote_from,
        requires_approval=env.requires_approval,
        protected=env.protected,
        smoke=env.smoke,
    )


def targets_file() -> Path | None:
    """The targets file of this run ($CAREERVP_TARGETS), or None: every environment as declared."""
    configured = os.environ.get(TARGETS_ENV)
    return Path(configured).expanduser() if configured else None


def read_bindings(source: Path) -> dict[str, str | None]:
    """A targets file: environment -> the endpoint of the running emulator it binds it to (None: its own)."""
    try:
        parsed = _TargetsFile.model_validate(tomllib.loads(source.read_text(encoding="utf-8")))
    except FileNotFoundError as error:
        raise TargetError(f"targets file not found: {source} (check ${TARGETS_ENV})") from error
    except (tomllib.TOMLDecodeError, ValidationError) as error:
        raise TargetError(
            f"targets file {source} is invalid: {error}\n(a targets file binds environments to emulators, "
            f"`[targets.<env>]` with an optional `endpoint`; everything else is declared in {REGISTRY})"
        ) from error
    return {name: binding.endpoint for name, binding in parsed.targets.items()}


def resolve_targets(
    registry: Environments, bindings: Mapping[str, str | None] | None = None, source: Path | None = None
) -> dict[str, Target]:
    """Every environment as a target; with `bindings`, only those, each on its emulator."""
    if bindings is None:
        return {name: _target(env) for name, env in registry.environments.items()}
    targets = {}
    for name, endpoint in bindings.items():
        try:
            env = registry.get(name)
        except EnvironmentConfigError as error:
            raise TargetError(f"targets file {source}: {error}") from error
        targets[name] = _target(env, emulated=True, endpoint=endpoint)
    return targets


def load_targets(path: Path | None = None) -> dict[str, Target]:
    """The release targets of this run: the registry's, bound to emulators by `path` or $CAREERVP_TARGETS."""
    source = path or targets_file()
    bindings = read_bindings(source) if source else None
    return resolve_targets(load_environments(), bindings, source)


def get_target(name: str, path: Path | None = None) -> Target:
    targets = load_targets(path)
    if name not in targets:
        source = path or targets_file()
        where = f"bound by the targets file {source}" if source else f"declared in {REGISTRY}"
        raise TargetError(
            f"unknown environment {name!r}: known environments are {', '.join(targets)} ({where})"
        )
    return targets[name]
