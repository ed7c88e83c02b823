"""Release environments as data: which deploy target each name means (see `targets.toml`).

The infra's `environments.toml` says which stacks exist; this file says where a release environment
deploys one of them (real AWS, or an AWS emulator) and which gates stand in front of it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from careervp_infra.environments import EnvironmentConfigError, load_environments
from pydantic import BaseModel, ConfigDict, ValidationError

from careervp_ci.errors import UsageError

SmokeScope = Literal["full", "read-only"]
TARGETS_ENV = "CAREERVP_TARGETS"
DEFAULT_TARGETS = Path(__file__).with_name("targets.toml")
REQUIRED_SECRETS = ("STRIPE_WEBHOOK_SECRET",)
"""Secrets every deploy needs in its environment: the smoke's webhook replay is signed with this one."""
MODEL_KEY_SECRET = "ANTHROPIC_API_KEY"  # noqa: S105 (the variable's name)
"""A deploy's secret only (deploy, promote, hotfix): it is stored in the environment's Secrets Manager, where
the functions that call the model read it. Required for AWS targets; an emulator never calls the real model
(its smoke serves the Messages-API stand-in), so a deploy there stores a given value, else keeps the key the
emulator has or stores a throwaway one."""


class TargetError(UsageError):
    """The targets file is invalid or does not name the environment asked for."""


class _TargetSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["aws", "emulator"]
    endpoint: str | None = None
    stack_env: str | None = None
    promote_from: str | None = None
    requires_approval: bool = False
    protected: bool = False
    smoke: SmokeScope = "full"


class _TargetsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    targets: dict[str, _TargetSpec]


@dataclass(frozen=True)
class Target:
    """One release environment: its name, the stack it deploys and where."""

    name: str
    kind: Literal["aws", "emulator"]
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


def targets_file() -> Path:
    configured = os.environ.get(TARGETS_ENV)
    return Path(configured).expanduser() if configured else DEFAULT_TARGETS


def load_targets(path: Path | None = None) -> dict[str, Target]:
    """Every release environment, validated against the infra's environments (their stacks must exist)."""
    source = path or targets_file()
    try:
        parsed = _TargetsFile.model_validate(tomllib.loads(source.read_text(encoding="utf-8")))
    except FileNotFoundError as error:
        raise TargetError(f"targets file not found: {source} (check ${TARGETS_ENV})") from error
    except (tomllib.TOMLDecodeError, ValidationError) as error:
        raise TargetError(f"targets file {source} is invalid: {error}") from error
    environments = load_environments()
    targets = {}
    for name, spec in parsed.targets.items():
        stack_env = spec.stack_env or name
        try:
            region = environments.get(stack_env).region
        except EnvironmentConfigError as error:
            raise TargetError(f"targets file {source}: target {name!r}: {error}") from error
        targets[name] = Target(
            name=name,
            kind=spec.kind,
            stack_env=stack_env,
            region=region,
            endpoint=spec.endpoint,
            promote_from=spec.promote_from,
            requires_approval=spec.requires_approval,
            protected=spec.protected,
            smoke=spec.smoke,
        )
    return targets


def get_target(name: str, path: Path | None = None) -> Target:
    targets = load_targets(path)
    if name not in targets:
        raise TargetError(
            f"unknown environment {name!r}: known environments are {', '.join(targets)} "
            f"(declared in {path or targets_file()})"
        )
    return targets[name]
