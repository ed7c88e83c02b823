"""The environments CareerVP deploys to, read from `infra/environments.toml` and validated once.

Every other part (stages, naming, the gatekeeper, the verifier) asks this module which environments exist,
so adding one is a single edit to the TOML file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ENVIRONMENTS_FILE = Path(__file__).resolve().parent.parent / "environments.toml"

LOG_RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)
"""The retention periods CloudWatch Logs accepts."""

ENVIRONMENT_NAME_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"


class EnvironmentConfigError(ValueError):
    """`environments.toml` is missing, malformed, or does not name the environment asked for."""


class UnknownEnvironmentError(EnvironmentConfigError):
    """An environment name that `environments.toml` does not declare."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        super().__init__(
            f"unknown environment {name!r}: known environments are {', '.join(known)} "
            f"(declare new ones in {ENVIRONMENTS_FILE.name})"
        )
        self.name = name
        self.known = known


class Environment(BaseModel):
    """One deployment target and the limits its stack is built with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(pattern=ENVIRONMENT_NAME_PATTERN, max_length=20)]
    region: Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")]
    transient: bool = False
    log_retention_days: int
    monthly_budget_usd: Annotated[float, Field(gt=0)]
    error_rate_threshold_percent: Annotated[float, Field(gt=0, le=100)]
    p99_latency_threshold_ms: Annotated[int, Field(gt=0, le=900_000)]

    @field_validator("log_retention_days")
    @classmethod
    def _retention_is_a_cloudwatch_value(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            allowed = ", ".join(str(value) for value in sorted(LOG_RETENTION_DAYS))
            raise ValueError(f"{days} is not a CloudWatch Logs retention period; use one of {allowed}")
        return days


class Environments(BaseModel):
    """The whole file: environment name -> settings, in declaration order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    environments: dict[str, Environment]

    @model_validator(mode="before")
    @classmethod
    def _name_each_environment_by_its_key(cls, data: object) -> object:
        if isinstance(data, Mapping) and isinstance(data.get("environments"), Mapping):
            named = {
                key: {"name": key, **value} if isinstance(value, Mapping) else value
                for key, value in data["environments"].items()
            }
            return {**data, "environments": named}
        return data

    @model_validator(mode="after")
    def _at_least_one(self) -> Self:
        if not self.environments:
            raise ValueError("no environments declared under [environments.<name>]")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.environments)

    def get(self, name: str) -> Environment:
        """The environment called `name`, or an error that lists the known ones."""
        try:
            return self.environments[name]
        except KeyError:
            raise UnknownEnvironmentError(name, self.names) from None


def parse_environments(text: str, source: str = "environments.toml") -> Environments:
    """Validate the TOML text of an environments file; errors name the file and the bad field."""
    try:
        return Environments.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise EnvironmentConfigError(f"{source} is not valid TOML: {error}") from error
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors()
        )
        raise EnvironmentConfigError(f"{source} is invalid: {problems}") from error


@cache
def load_environments(path: Path = ENVIRONMENTS_FILE) -> Environments:
    """The project's environments (read once per process)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise EnvironmentConfigError(f"environments file not found: {path}") from error
    return parse_environments(text, source=str(path))


def get_environment(name: str) -> Environment:
    """Shorthand for `load_environments().get(name)`."""
    return load_environments().get(name)
