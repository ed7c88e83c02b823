"""After a deploy: `careervp-ci journeys --env E` runs the happy-path journeys over HTTP against what E runs,
and `careervp-ci drift --env E` compares E with main's synth (or its artifact), the committed contract, main's
coverage and cost.

One emulator for the module (dev's stack deployed once from the session's build of HEAD); commands run
in-process through the release CLI, as in test_release_flow.
"""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from careervp_ci.release import e2e_suite
from careervp_ci.release.cloudformation import StackFiles
from support.release_cli import Built, cli, write_emulator_targets

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SECRET = "test-webhook-secret-e2e-drift_" + "4" * 24
JOURNEYS = [name for name in vars(e2e_suite) if name.startswith("test_")]
COVERAGE_XML = (
    '<?xml version="1.0" ?>\n<coverage version="7" line-rate="{rate}" branch-rate="0"></coverage>\n'
)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory, emulator: str, built: Built) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("after-deploy")
    targets = write_emulator_targets(home / "targets.toml", emulator, ("dev",))
    store = home / "state" / "artifacts"
    store.mkdir(parents=True)
    built.place(store)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        patch.setenv("CAREERVP_TARGETS", str(targets))
        patch.setenv("CAREERVP_STATE_DIR", str(home / "state"))
        patch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
        patch.delenv("SLACK_WEBHOOK", raising=False)
        result = cli("deploy", "--env", "dev", "--artifact", built.digest)
        assert result.code == 0, result.err
        yield home


def test_journeys_runs_every_journey_against_the_deployed_environment(deployed: Path) -> None:
    junit = deployed / "e2e.xml"
    result = cli("journeys", "--env", "dev", "--junit", str(junit))
    assert result.code == 0, result.out + result.err
    journeys = [line for line in result.out.splitlines() if line.startswith("ok   e2e:")]
    assert len(journeys) == len(JOURNEYS) >= 7, result.out
    assert all(any(name in line for line in journeys) for name in JOURNEYS), result.out
    assert f'tests="{len(JOURNEYS)}"' in junit.read_text()


def test_drift_of_a_fresh_deploy_is_ok_where_checked_and_says_what_it_cannot_check(deployed: Path) -> None:
    table = deployed / "drift.md"
    result = cli("drift", "--env", "dev", "--out", str(table))
    assert result.code == 0, result.out + result.err
    markdown = table.read_text()
    assert "| stack | ✔ ok |" in markdown
    assert "| monitoring | ✔ ok |" in markdown
    assert "| openapi | ✔ ok |" in markdown
    assert "| coverage | ? not verifiable on this target | no coverage report" in markdown
    assert "| cost | ? not verifiable on this target | the emulator has no billing" in markdown


def test_drift_compares_coverage_with_mains_baseline_in_the_store(deployed: Path) -> None:
    main, tonight = deployed / "main.xml", deployed / "tonight.xml"
    main.write_text(COVERAGE_XML.format(rate="0.91"))
    tonight.write_text(COVERAGE_XML.format(rate="0.85"))
    assert cli("coverage-baseline", "--coverage", str(main), "--commit", "a" * 40).code == 0
    result = cli("drift", "--env", "dev", "--coverage", str(tonight))
    assert result.code == 1
    assert "| coverage | ✘ drift | 85.00% vs 91.00% on main (aaaaaaaaaaaa) |" in result.out
    assert "dev has drifted:" in result.err and "coverage" in result.err


def test_drift_names_a_stack_changed_outside_the_release(deployed: Path, emulator: str) -> None:
    client = boto3.client("cloudformation", endpoint_url=emulator, region_name="us-east-1")
    stack = "careervp-dev-service-stack"
    body = client.get_template(StackName=stack)["TemplateBody"]
    original = body if isinstance(body, dict) else json.loads(body)
    edited = json.loads(json.dumps(original))
    edited["Resources"]["HandMadeTopic"] = {"Type": "AWS::SNS::Topic", "Properties": {}}
    tags = client.describe_stacks(StackName=stack)["Stacks"][0]["Tags"]
    client.update_stack(StackName=stack, TemplateBody=json.dumps(edited), Tags=tags)
    try:
        result = cli("drift", "--env", "dev")
    finally:
        client.update_stack(StackName=stack, TemplateBody=json.dumps(original), Tags=tags)
    assert result.code == 1, result.out
    assert "| stack | ✘ drift |" in result.out
    assert "| monitoring | ✘ drift | differs from the artifact: HandMadeTopic |" in result.out


def test_drift_given_mains_synth_compares_the_live_stack_with_it_not_with_the_artifact(
    deployed: Path, built: Built
) -> None:
    """The nightly hands drift main's cloud assembly: a resource main adds is what the next deploy changes,
    named against main's template, while the artifact the stack runs still matches it."""
    synth = deployed / "main-synth"
    with tarfile.open(built.tar) as bundle:
        members = [m for m in bundle.getmembers() if m.name.startswith("assembly/")]
        bundle.extractall(synth, members=members, filter="data")
    assembly = synth / "assembly"
    template = StackFiles.find(assembly, "careervp-dev-service-stack").template
    body = json.loads(template.read_text())
    body["Resources"]["MainOnlyTopic"] = {"Type": "AWS::SNS::Topic", "Properties": {}}
    template.write_text(json.dumps(body))
    result = cli("drift", "--env", "dev", "--synth", str(assembly))
    assert result.code == 1, result.out + result.err
    assert (
        "| stack | ✘ drift | live stack differs from main's synthesized template; added: MainOnlyTopic"
        in (result.out)
    )
    assert cli("drift", "--env", "dev").code == 0, "against the artifact it runs, nothing drifted"
