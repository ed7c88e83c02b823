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
region = "us-east-1"
log_retention_days = 14
monthly_budget_usd = 50
error_rate_threshold_percent = 5
p99_latency_threshold_ms = 3000
"""


def test_project_declares_dev_staging_prod_and_transient_gap_remediation() -> None:
    environments = load_environments()
    assert environments.names == ("dev", "staging", "prod", "gap-remediation")
    assert environments.get("gap-remediation").transient is True
    assert not any(environments.get(name).transient for name in ("dev", "staging", "prod"))


def test_prod_keeps_logs_longer_and_alarms_earlier_than_dev() -> None:
    dev, prod = load_environments().get("dev"), load_environments().get("prod")
    assert prod.log_retention_days > dev.log_retention_days
    assert prod.error_rate_threshold_percent < dev.error_rate_threshold_percent


def test_unknown_environment_error_lists_the_known_ones() -> None:
    with pytest.raises(UnknownEnvironmentError) as error:
        load_environments().get("qa")
    assert "'qa'" in str(error.value)
    assert "dev, staging, prod, gap-remediation" in str(error.value)


def test_each_environment_is_named_by_its_table_key() -> None:
    assert parse_environments(VALID).get("dev").name == "dev"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VALID.replace("= 14", "= 10"), "not a CloudWatch Logs retention period"),
        (VALID + "colour = 'blue'\n", "environments.dev.colour"),
        (VALID.replace("[environments.dev]", "[environments.Dev]"), "environments.Dev.name"),
        (VALID.replace("= 50", "= 0"), "monthly_budget_usd"),
        ("[environments]\n", "no environments declared"),
        ("[environments.dev\n", "not valid TOML"),
    ],
)
def test_invalid_environment_files_are_refused_naming_the_field(text: str, expected: str) -> None:
    with pytest.raises(EnvironmentConfigError, match=r"environments\.toml") as error:
        parse_environments(text)
    assert expected in str(error.value)
