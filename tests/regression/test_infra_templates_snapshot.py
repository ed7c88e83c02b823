"""Each environment's synthesized template, pinned: an unintended infrastructure change fails as a diff.

To accept an intended change: CAREERVP_UPDATE_SNAPSHOTS=1 uv run pytest tests/regression, then review and
commit the snapshot files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from careervp_infra.cloud_assembly import find_stack
from careervp_infra.environments import load_environments
from support.snapshots import UPDATE_VARIABLE, diff, render

SNAPSHOTS = Path(__file__).parent / "snapshots" / "infra"
ENVIRONMENTS = load_environments().stack_names


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_synthesized_template_matches_its_snapshot(assembly: Path, env: str) -> None:
    actual = render(find_stack(assembly, f"careervp-{env}-service-stack").load())
    snapshot = SNAPSHOTS / f"{env}.template.json"
    if os.environ.get(UPDATE_VARIABLE) == "1":
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(actual, encoding="utf-8")
    assert snapshot.is_file(), f"no snapshot for {env}: run with {UPDATE_VARIABLE}=1 to create {snapshot}"
    changes = diff(snapshot.read_text(encoding="utf-8"), actual, snapshot.name)
    assert not changes, f"the {env} template changed; if intended, rerun with {UPDATE_VARIABLE}=1\n{changes}"


def test_no_snapshot_is_left_for_an_environment_that_no_longer_exists() -> None:
    stale = sorted(path.name for path in SNAPSHOTS.glob("*.template.json"))
    assert stale == sorted(f"{env}.template.json" for env in ENVIRONMENTS)


def test_a_changed_property_shows_as_a_readable_diff(assembly: Path) -> None:
    template = find_stack(assembly, "careervp-dev-service-stack").load()
    before = render(template)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Logs::LogGroup":
            resource["Properties"]["RetentionInDays"] = 3653
    changes = diff(before, render(template), "dev.template.json")
    assert '-    "RetentionInDays": 14' in changes
    assert '+    "RetentionInDays": 3653' in changes


def test_asset_hashes_are_masked_so_code_edits_do_not_churn_snapshots(assembly: Path) -> None:
    rendered = render(find_stack(assembly, "careervp-dev-service-stack").load())
    assert '"S3Key": "dev/<asset-hash>.zip"' in rendered
    assert '"CAREERVP_VERSION": "<version>"' in rendered


@pytest.mark.slow
def test_two_synths_of_the_same_tree_differ_only_by_the_bootstrap_version_rule(
    assembly: Path, emulator_assembly: Path
) -> None:
    for env in ENVIRONMENTS:
        stack = f"careervp-{env}-service-stack"
        aws = find_stack(assembly, stack).load()
        emulator = find_stack(emulator_assembly, stack).load()
        assert "CheckBootstrapVersion" in aws["Rules"]
        assert "Rules" not in emulator
        aws.pop("Rules")
        aws["Parameters"].pop("BootstrapVersion")
        if not aws["Parameters"]:
            aws.pop("Parameters")
        assert json.dumps(aws, sort_keys=True) == json.dumps(emulator, sort_keys=True)
