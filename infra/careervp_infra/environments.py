"""The environment registry: every CareerVP environment, declared once in `infra/environments.toml`.

Each entry says what the CDK app builds for the environment (its stack's region and limits), where and how a
release reaches it (AWS or an emulator, the environment it promotes from, approval, protection, its smoke),
and the GitHub environment and role secret its jobs use. The CDK app, the naming gatekeeper, the verifier,
the release targets and the GitHub settings check all read this module, so adding an environment is one
edit here (plus its GitHub settings file, which is checked against it). It lives in the infra package
because the infra cannot import the pipeline; the pipeline imports it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ENVIRONMENTS_FILE = Path(__file__).resolve().parent.parent / "environments.toml"
REGISTRY = "infra/environments.toml"
"""The registry as a reader of the repository finds it (for messages)."""

LOG_RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)
"""The retention periods CloudWatch Logs accepts."""

ENVIRONMENT_NAME_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
STACK_SETTINGS = (
    "region",
    "transient",
    "log_retention_days",
    "monthly_budget_usd",
    "error_rate_threshold_percent",
    "p99_latency_threshold_ms",
    "reserved_concurrency",
    "traffic_shift",
)
"""What a stack is built with: declared by the stack's owner, shared by the environments that borrow it."""

Kind = Literal["aws", "emulator"]
SmokeScope = Literal["full", "read-only"]
TrafficShift = Literal[
    "AllAtOnce",
    "Canary10Percent5Minutes",
    "Canary10Percent10Minutes",
    "Canary10Percent15Minutes",
    "Canary10Percent30Minutes",
    "Linear10PercentEvery1Minute",
    "Linear10PercentEvery2Minutes",
    "Linear10PercentEvery3Minutes",
    "Linear10PercentEvery10Minutes",
]
"""CodeDeploy's predefined Lambda deployment configurations (`CodeDeployDefault.Lambda<name>`)."""


class EnvironmentConfigError(ValueError):
    """`environments.toml` is missing, malformed, or does not name the environment asked for."""


class UnknownEnvironmentError(EnvironmentConfigError):
    """An environment name that `environments.toml` does not declare."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        super().__init__(
            f"unknown environment {name!r}: known environments are {', '.join(known)} "
            f"(declare new ones in {REGISTRY})"
        )
        self.name = name
        self.known = known


class GitHubAccess(BaseModel):
    """A GitHub environment and the secret in it holding the ARN of the AWS role its jobs assume."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    environment: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]+$", max_length=255)]
    role_secret: Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]


class Environment(BaseModel):
    """One environment: the stack it deploys and its limits, how a release reaches it, and its GitHub side.

    `stack` names whose stack it deploys (its own unless it borrows another's, as `local` borrows dev's on an
    emulator); the stack settings of a borrower are its stack owner's. Settings that vary per environment
    (say, how a deploy shifts traffic) belong here, beside the gates.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(pattern=ENVIRONMENT_NAME_PATTERN, max_length=20)]
    kind: Kind
    """"aws": the real AWS endpoint of its region. "emulator": an AWS emulator (moto) the command starts."""
    stack: str
    region: Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")]
    transient: bool = False
    """A short-lived environment whose data stores are destroyed with its stack."""
    log_retention_days: int
    monthly_budget_usd: Annotated[float, Field(gt=0)]
    error_rate_threshold_percent: Annotated[float, Field(gt=0, le=100)]
    p99_latency_threshold_ms: Annotated[int, Field(gt=0, le=900_000)]
    reserved_concurrency: Annotated[int, Field(gt=0, le=1000)] | None = None
    """Concurrent executions reserved for each function: a cap on runaway cost and a floor the others
    cannot take. None: the functions share the account's unreserved pool."""
    traffic_shift: TrafficShift | None = None
    """How a deploy moves traffic to a function's new version: through CodeDeploy, behind an alias, gated on
    the stack's alarms and a pre-traffic check (`careervp_infra.traffic`). None: the update takes all
    traffic at once, with no alias and no CodeDeploy."""
    promote_from: str | None = None
    """The only environment `promote --to` this one accepts digests from."""
    requires_approval: bool = False
    """A deploy needs an approval record for the digest (`careervp-ci approve`)."""
    protected: bool = False
    """`destroy` refuses it; its stack has termination protection and its user pool deletion protection."""
    smoke: SmokeScope = "full"
    """"read-only": the smoke runs only the checks that change nothing, as one dedicated test user."""
    spa_origin: Annotated[str, Field(pattern=r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")] | None = None
    """The origin its SPA is served from: the one the API allows in CORS (`careervp.cors`)."""
    github: GitHubAccess | None = None
    """Where its deploys run on GitHub Actions, and the secret of the role they assume."""
    github_read_only: GitHubAccess | None = None
    """Where jobs that only read it run (drift), with a role that never writes."""

    @field_validator("log_retention_days")
    @classmethod
    def _retention_is_a_cloudwatch_value(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            allowed = ", ".join(str(value) for value in sorted(LOG_RETENTION_DAYS))
            raise ValueError(f"{days} is not a CloudWatch Logs retention period; use one of {allowed}")
        return days

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.protected and self.transient:
            raise ValueError(
                "a transient environment's data is destroyed with its stack: it cannot be protected"
            )
        if self.kind == "aws" and self.github is None:
            raise ValueError("an AWS environment is deployed from GitHub Actions: declare github = {...}")
        if self.kind == "emulator" and (self.github or self.github_read_only):
            raise ValueError("an emulator environment assumes no AWS role: it has no github access")
        if self.github_read_only and not self.github:
            raise ValueError("github_read_only needs github: read-only access is to a deployed environment")
        return self

    @property
    def owns_stack(self) -> bool:
        return self.stack == self.name


@dataclass(frozen=True)
class GitHubEnvironment:
    """A GitHub environment the registry names, the environment its jobs reach and the role they assume."""

    name: str
    environment: Environment
    role_secret: str
    read_only: bool


class Environments(BaseModel):
    """The whole registry: environment name -> its declaration, in declaration order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    environments: dict[str, Environment]

    @model_validator(mode="before")
    @classmethod
    def _name_each_and_share_stacks(cls, data: object) -> object:
        if not (isinstance(data, Mapping) and isinstance(data.get("environments"), Mapping)):
            return data
        declared: Mapping[str, Any] = data["environments"]
        entries = {}
        for key, value in declared.items():
            if not isinstance(value, Mapping):
                entries[key] = value
                continue
            owner = value.get("stack", key)
            shared = _stack_settings_of(key, owner, value, declared) if owner != key else {}
            entries[key] = {"name": key, "stack": key, **value, **shared}
        return {**data, "environments": entries}

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if not self.environments:
            raise ValueError("no environments declared under [environments.<name>]")
        for env in self.environments.values():
            if env.promote_from is not None and env.promote_from not in self.environments:
                raise ValueError(
                    f"{env.name}.promote_from: {env.promote_from!r} is not a declared environment"
                )
            if env.promote_from == env.name:
                raise ValueError(f"{env.name}.promote_from: an environment cannot promote from itself")
        for what, values in (
            ("GitHub environment", [access.environment for access in self._accesses()]),
            ("role secret", [access.role_secret for access in self._accesses()]),
        ):
            repeated = sorted({value for value in values if values.count(value) > 1})
            if repeated:
                raise ValueError(f"{what} {repeated[0]!r} is named by more than one environment")
        return self

    def _accesses(self) -> list[GitHubAccess]:
        return [
            access
            for env in self.environments.values()
            for access in (env.github, env.github_read_only)
            if access is not None
        ]

    @property
    def names(self) -> tuple[str, ...]:
        """Every environment, stacks' owners and borrowers alike."""
        return tuple(self.environments)

    @property
    def stacks(self) -> tuple[Environment, ...]:
        """The environments that own a stack: one Stage each in the CDK app."""
        return tuple(env for env in self.environments.values() if env.owns_stack)

    @property
    def stack_names(self) -> tuple[str, ...]:
        """The names that may appear in `careervp-<env>-…` physical names."""
        return tuple(env.name for env in self.stacks)

    def get(self, name: str) -> Environment:
        """The environment called `name`, or an error that lists the known ones."""
        try:
            return self.environments[name]
        except KeyError:
            raise UnknownEnvironmentError(name, self.names) from None

    def get_stack(self, name: str) -> Environment:
        """The environment called `name` if it owns its stack; an error naming the owner if it borrows one."""
        env = self.get(name)
        if not env.owns_stack:
            raise EnvironmentConfigError(f"{name} has no stack of its own: it deploys {env.stack}'s")
        return env

    def emulator_environment(self) -> Environment:
        """The one environment of kind "emulator": where the release path runs on one machine."""
        emulated = [env for env in self.environments.values() if env.kind == "emulator"]
        if len(emulated) != 1:
            raise EnvironmentConfigError(
                f"{REGISTRY} declares {len(emulated)} environments of kind emulator; the release path on one "
                "machine (`release-local`) needs exactly one"
            )
        return emulated[0]

    @property
    def github_environments(self) -> dict[str, GitHubEnvironment]:
        """Every GitHub environment the registry names, by its GitHub name (deploy access, then read-only)."""
        named: dict[str, GitHubEnvironment] = {}
        for env in self.environments.values():
            for access, read_only in ((env.github, False), (env.github_read_only, True)):
                if access is not None:
                    named[access.environment] = GitHubEnvironment(
                        access.environment, env, access.role_secret, read_only
                    )
        return named

    @property
    def role_secrets(self) -> tuple[str, ...]:
        """The secret name of every role the environments' jobs assume."""
        return tuple(github.role_secret for github in self.github_environments.values())


def _stack_settings_of(
    key: str, owner: object, declared: Mapping[str, Any], all_declared: Mapping[str, Any]
) -> dict[str, Any]:
    """The stack settings `key` borrows from the environment whose stack it deploys."""
    restated = [setting for setting in STACK_SETTINGS if setting in declared]
    if restated:
        raise ValueError(
            f"{key} deploys {owner}'s stack, whose settings are {owner}'s: remove {', '.join(restated)}"
        )
    source = all_declared.get(owner) if isinstance(owner, str) else None
    if not isinstance(source, Mapping):
        raise ValueError(f"{key}.stack: {owner!r} is not a declared environment")
    if source.get("stack", owner) != owner:
        raise ValueError(f"{key}.stack: {owner} deploys another environment's stack; name that stack's owner")
    return {setting: source[setting] for setting in STACK_SETTINGS if setting in source}


def parse_environments(text: str, source: str = "environments.toml") -> Environments:
    """Validate the TOML text of an environments file; errors name the file and the bad field."""
    try:
        return Environments.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise EnvironmentConfigError(f"{source} is not valid TOML: {error}") from error
    except ValidationError as error:
        problems = "; ".join(
            ": ".join(filter(None, (".".join(str(part) for part in item["loc"]), item["msg"])))
            for item in error.errors()
        )
        raise EnvironmentConfigError(f"{source} is invalid: {problems}") from error


def read_environments(path: Path) -> Environments:
    """The environments file at `path`, read now (a tree under check is not the running project)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise EnvironmentConfigError(f"environments file not found: {path}") from error
    return parse_environments(text, source=str(path))


@cache
def load_environments(path: Path = ENVIRONMENTS_FILE) -> Environments:
    """The project's environments (read once per process)."""
    return read_environments(path)
