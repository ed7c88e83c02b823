"""The environment registry, `infra/environments.toml`: what the project declares, and every bad declaration
refused with the file and the field named."""

from __future__ import annotations

import pytest
from careervp_infra.environments import (
    EnvironmentConfigError,
    UnknownEnvironmentError,
    load_environments,
    parse_environments,
)

VALID = """
[environments.dev]
kind = "aws"
region = "us-east-1"
log_retention_days = 14
monthly_budget_usd = 50
error_rate_threshold_percent = 5
p99_latency_threshold_ms = 3000
github = { environment = "dev", role_secret = "AWS_ROLE_DEV" }
"""

LOCAL = """
[environments.local]
kind = "emulator"
stack = "dev"
"""


def test_project_declares_dev_staging_prod_transient_gap_remediation_and_local_on_devs_stack() -> None:
    environments = load_environments()
    assert {"dev", "staging", "prod", "gap-remediation", "local"} <= set(environments.names)
    assert set(environments.stack_names) == set(environments.names) - {"local"}
    assert environments.get("gap-remediation").transient is True
    assert not any(environments.get(name).transient for name in ("dev", "staging", "prod"))
    assert environments.emulator_environment().name == "local"


def test_only_prod_is_gated_protected_and_smoked_read_only_and_it_promotes_from_staging_from_dev() -> None:
    environments = load_environments().environments.values()
    assert [env.name for env in environments if env.requires_approval] == ["prod"]
    assert [env.name for env in environments if env.protected] == ["prod"]
    assert [env.name for env in environments if env.smoke == "read-only"] == ["prod"]
    promotions = {env.name: env.promote_from for env in environments if env.promote_from}
    assert {"staging": "dev", "prod": "staging"}.items() <= promotions.items()


def test_prod_keeps_logs_longer_and_alarms_earlier_than_dev() -> None:
    dev, prod = load_environments().get("dev"), load_environments().get("prod")
    assert prod.log_retention_days > dev.log_retention_days
    assert prod.error_rate_threshold_percent < dev.error_rate_threshold_percent


def test_every_aws_environment_names_its_github_environment_and_prod_a_read_only_one_for_drift() -> None:
    registry = load_environments()
    for env in registry.environments.values():
        assert (env.github is not None) == (env.kind == "aws"), env.name
    named = registry.github_environments
    assert (named["prod"].role_secret, named["prod"].read_only) == ("AWS_ROLE_PROD", False)
    assert (
        named["prod-plan"].environment.name,
        named["prod-plan"].role_secret,
        named["prod-plan"].read_only,
    ) == (
        "prod",
        "AWS_ROLE_PROD_READONLY",
        True,
    )
    assert len(registry.role_secrets) == len(set(registry.role_secrets)) == len(named)


def test_prod_shifts_traffic_by_canary_staging_gradually_and_dev_directly() -> None:
    environments = load_environments()
    assert (environments.get("prod").traffic_shift or "").startswith("Canary")
    assert environments.get("staging").traffic_shift in {
        "AllAtOnce",
        "Linear10PercentEvery1Minute",
        "Linear10PercentEvery2Minutes",
        "Linear10PercentEvery3Minutes",
        "Linear10PercentEvery10Minutes",
    }
    assert environments.get("dev").traffic_shift is None
    assert environments.get("local").traffic_shift is None


def test_an_environment_on_another_stack_takes_that_stacks_settings() -> None:
    registry = parse_environments(VALID + LOCAL)
    local, dev = registry.get("local"), registry.get("dev")
    assert (local.stack, local.owns_stack, local.region, local.log_retention_days) == (
        "dev",
        False,
        dev.region,
        14,
    )
    assert registry.stack_names == ("dev",)
    with pytest.raises(EnvironmentConfigError, match="local has no stack of its own: it deploys dev's"):
        registry.get_stack("local")


def test_unknown_environment_error_lists_the_known_ones() -> None:
    with pytest.raises(UnknownEnvironmentError) as error:
        load_environments().get("qa")
    assert "'qa'" in str(error.value)
    assert "dev, staging, prod, gap-remediation, local" in str(error.value)
    assert "infra/environments.toml" in str(error.value)


def test_each_environment_is_named_by_its_table_key() -> None:
    assert parse_environments(VALID).get("dev").name == "dev"


def test_the_release_path_on_one_machine_needs_exactly_one_emulator_environment() -> None:
    with pytest.raises(EnvironmentConfigError, match="declares 0 environments of kind emulator"):
        parse_environments(VALID).emulator_environment()
    two = LOCAL + LOCAL.replace("environments.local", "environments.other")
    with pytest.raises(EnvironmentConfigError, match="declares 2 environments of kind emulator"):
        parse_environments(VALID + two).emulator_environment()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VALID.replace("= 14", "= 10"), "not a CloudWatch Logs retention period"),
        (VALID + "colour = 'blue'\n", "environments.dev.colour"),
        (VALID.replace("[environments.dev]", "[environments.Dev]"), "environments.Dev.name"),
        (VALID.replace("= 50", "= 0"), "monthly_budget_usd"),
        (VALID.replace('kind = "aws"', 'kind = "gcp"'), "environments.dev.kind"),
        (VALID + 'smoke = "minimal"\n', "environments.dev.smoke"),
        (VALID + 'traffic_shift = "Canary50Percent1Minute"\n', "environments.dev.traffic_shift"),
        (VALID + 'traffic_shift = "canary"\n', "'Canary10Percent5Minutes'"),
        (
            VALID + LOCAL + 'traffic_shift = "AllAtOnce"\n',
            "local deploys dev's stack, whose settings are dev's: remove traffic_shift",
        ),
        (VALID + "protected = true\ntransient = true\n", "a transient environment's data is destroyed"),
        (VALID + 'promote_from = "qa"\n', "dev.promote_from: 'qa' is not a declared environment"),
        (VALID + 'promote_from = "dev"\n', "an environment cannot promote from itself"),
        (VALID.replace("github = ", "# "), "an AWS environment is deployed from GitHub Actions"),
        (VALID.replace('"AWS_ROLE_DEV"', '"aws-role"'), "environments.dev.github.role_secret"),
        (
            VALID + "github_read_only = { environment = 'dev', role_secret = 'R' }\n",
            "GitHub environment 'dev'",
        ),
        (VALID + LOCAL + "github = { environment = 'l', role_secret = 'R' }\n", "an emulator environment"),
        (
            VALID + LOCAL + "region = 'eu-west-1'\n",
            "local deploys dev's stack, whose settings are dev's: remove region",
        ),
        (VALID + LOCAL.replace('"dev"', '"qa"'), "local.stack: 'qa' is not a declared environment"),
        (
            VALID + LOCAL + LOCAL.replace("local]", "other]").replace('"dev"', '"local"'),
            "local deploys another",
        ),
        ("[environments]\n", "no environments declared"),
        ("[environments.dev\n", "not valid TOML"),
    ],
)
def test_invalid_environment_files_are_refused_naming_the_field(text: str, expected: str) -> None:
    with pytest.raises(EnvironmentConfigError, match=r"environments\.toml") as error:
        parse_environments(text)
    assert expected in str(error.value)
