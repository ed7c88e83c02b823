"""The state verifier against a real moto server: verified, drifted, and not verifiable on the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from careervp.resources import ENV_VAR_CORS_ALLOWED_ORIGIN, FUNCTIONS, TABLES
from careervp_infra.naming import physical_name
from careervp_infra.verify.blind_spots import IGNORED_SETTINGS, UNOBSERVABLE_RESOURCE_TYPES
from careervp_infra.verify.deployed import verify_deployed
from careervp_infra.verify.report import Outcome, VerificationReport
from support.moto_server import clean_moto_server
from support.moto_stack import deploy_stack
from support.scripts import load_script
from support.synth import session_assembly

verify_aws_state = load_script("verify_aws_state")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:Tried to parse AWS.*not supported by moto:UserWarning"),
]

PRISTINE_ENV = "dev"
DRIFTED_ENV = "gap-remediation"
DELETED_TABLE = "careervp-gap-remediation-gap-responses"
STOPPED_CANARY_ENV = "prod"
STOPPED_SCHEDULE = "careervp-prod-monitoring-canary-schedule"


@dataclass(frozen=True)
class Emulator:
    endpoint_url: str
    session: boto3.Session
    assembly: Path


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """dev deployed untouched; gap-remediation deployed, then a table deleted behind CloudFormation; prod
    deployed, then its canary's schedule disabled behind CloudFormation."""
    assembly = session_assembly(tmp_path_factory, emulator=True)
    with clean_moto_server() as endpoint_url:
        session = boto3.Session(region_name="us-east-1")
        for env in (PRISTINE_ENV, DRIFTED_ENV, STOPPED_CANARY_ENV):
            deploy_stack(session, endpoint_url, assembly, f"careervp-{env}-service-stack")
        session.client("dynamodb", endpoint_url=endpoint_url).delete_table(TableName=DELETED_TABLE)
        session.client("events", endpoint_url=endpoint_url).disable_rule(Name=STOPPED_SCHEDULE)
        yield Emulator(endpoint_url, session, assembly)


def verify(emulator: Emulator, env: str, *, as_emulator: bool = True) -> VerificationReport:
    return verify_deployed(
        env,
        emulator.assembly,
        session=emulator.session,
        endpoint_url=emulator.endpoint_url,
        emulator=as_emulator,
    )


def test_a_fresh_deploy_verifies_with_nothing_drifted(emulator: Emulator) -> None:
    report = verify(emulator, PRISTINE_ENV)
    assert report.ok, report.render()
    verified = {(check.resource_type, check.aspect) for check in report.with_outcome(Outcome.VERIFIED)}
    for resource_type in (
        "AWS::DynamoDB::Table",
        "AWS::S3::Bucket",
        "AWS::Lambda::Function",
        "AWS::IAM::Policy",
        "AWS::Events::Rule",
    ):
        assert (resource_type, "exists") in verified
    assert ("AWS::ApiGateway::Method", "exists") in verified


def test_the_emulator_resolves_the_origin_the_api_functions_allow_to_the_stacks_distribution(
    emulator: Emulator,
) -> None:
    """The template reads the distribution's domain (the SPA origin allowed in CORS); the emulator's
    CloudFormation registers the distribution (careervp_ci.release.moto_cloudfront_distributions)."""
    cloudfront = emulator.session.client("cloudfront", endpoint_url=emulator.endpoint_url)
    listed = cloudfront.list_distributions()["DistributionList"]["Items"]
    [domain] = [
        item["DomainName"] for item in listed if item["Comment"] == f"careervp-{PRISTINE_ENV}-frontend-cdn"
    ]
    functions = emulator.session.client("lambda", endpoint_url=emulator.endpoint_url)
    for spec in FUNCTIONS:
        name = physical_name(PRISTINE_ENV, spec.component, spec.resource)
        variables = functions.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
        assert variables[ENV_VAR_CORS_ALLOWED_ORIGIN] == f"https://{domain}"


def test_what_moto_cannot_show_is_not_verifiable_with_the_reason_never_verified(emulator: Emulator) -> None:
    report = verify(emulator, PRISTINE_ENV)
    not_verifiable = report.with_outcome(Outcome.NOT_VERIFIABLE)
    alarms = [check for check in not_verifiable if check.resource_type == "AWS::CloudWatch::Alarm"]
    model_spend = sum(function.calls_model for function in FUNCTIONS)
    assert len(alarms) == 2 * (len(FUNCTIONS) + 2) + model_spend + 2  # two per function (the API's, the
    # canary, the notifier), one model-spend alarm per function that calls the model, the synthetic health
    # check's and the bounce rate's
    assert alarms[0].detail == UNOBSERVABLE_RESOURCE_TYPES["AWS::CloudWatch::Alarm"]
    pitr = [check for check in not_verifiable if check.aspect == "point-in-time recovery"]
    assert len(pitr) == len(TABLES)
    skipped_types = {check.resource_type for check in report.with_outcome(Outcome.VERIFIED)}
    assert not skipped_types & {"AWS::CloudWatch::Alarm", "AWS::S3::BucketPolicy", "AWS::ApiGateway::Stage"}
    waf = {check.resource_type: check.detail for check in not_verifiable if "WAFv2" in check.resource_type}
    assert waf == {
        resource_type: UNOBSERVABLE_RESOURCE_TYPES[resource_type]
        for resource_type in (
            "AWS::WAFv2::WebACL",
            "AWS::WAFv2::WebACLAssociation",
            "AWS::WAFv2::LoggingConfiguration",
        )
    }
    skipped = {check.resource_type: check.detail for check in not_verifiable}
    for resource_type in (
        "AWS::SES::EmailIdentity",
        "AWS::SNS::Subscription",
        "AWS::Cognito::UserPool",
        "AWS::Cognito::UserPoolClient",
        "AWS::ApiGateway::Authorizer",
        "AWS::ApiGateway::GatewayResponse",
        "AWS::CloudFront::Distribution",
        "AWS::CloudFront::OriginAccessControl",
    ):
        assert skipped[resource_type] == UNOBSERVABLE_RESOURCE_TYPES[resource_type]
    assert "not-verifiable" in report.render().splitlines()[-1]


def test_what_codedeploy_would_do_in_prod_is_not_verifiable_on_the_emulator(emulator: Emulator) -> None:
    report = verify(emulator, STOPPED_CANARY_ENV)
    codedeploy = [check for check in report.checks if check.resource_type.startswith("AWS::CodeDeploy::")]
    assert len(codedeploy) == len(FUNCTIONS) + 1  # a deployment group per function, and the application
    assert {check.outcome for check in codedeploy} == {Outcome.NOT_VERIFIABLE}
    groups = {check.detail for check in codedeploy if check.resource_type.endswith("DeploymentGroup")}
    assert groups == {UNOBSERVABLE_RESOURCE_TYPES["AWS::CodeDeploy::DeploymentGroup"]}
    aliases = [check for check in report.checks if check.resource_type == "AWS::Lambda::Alias"]
    exists = [check for check in aliases if check.aspect == "exists"]
    assert len(exists) == len(FUNCTIONS)  # moto created each alias (`moto_lambda_aliases`)
    assert {check.outcome for check in exists} == {Outcome.VERIFIED}
    versions = [check for check in aliases if check.aspect == "version"]
    assert len(versions) == len(FUNCTIONS)
    assert {(check.outcome, check.detail) for check in versions} == {
        (Outcome.NOT_VERIFIABLE, IGNORED_SETTINGS[("AWS::Lambda::Alias", "version")])
    }
    faithful = verify(emulator, STOPPED_CANARY_ENV, as_emulator=False)
    fresh = [c for c in faithful.checks if c.resource_type == "AWS::Lambda::Alias" and c.aspect == "version"]
    assert {check.outcome for check in fresh} == {Outcome.VERIFIED}  # a first deploy publishes version 1


def test_an_alias_moved_behind_cloudformation_is_reported_drifted_on_a_faithful_target(
    emulator: Emulator,
) -> None:
    functions = emulator.session.client("lambda", endpoint_url=emulator.endpoint_url)
    name = f"careervp-{STOPPED_CANARY_ENV}-health-api"
    declared = functions.get_alias(FunctionName=name, Name="live")["FunctionVersion"]
    functions.update_function_configuration(FunctionName=name, Description="changed behind CloudFormation")
    moved = functions.publish_version(FunctionName=name)["Version"]
    functions.update_alias(FunctionName=name, Name="live", FunctionVersion=moved)
    try:
        report = verify(emulator, STOPPED_CANARY_ENV, as_emulator=False)
    finally:
        functions.update_alias(FunctionName=name, Name="live", FunctionVersion=declared)
    [drifted] = [
        check for check in report.with_outcome(Outcome.DRIFTED) if check.resource_type == "AWS::Lambda::Alias"
    ]
    assert drifted.detail == f"serves version {moved} (template: {declared})"


def test_a_table_deleted_behind_cloudformation_is_reported_drifted(emulator: Emulator) -> None:
    report = verify(emulator, DRIFTED_ENV)
    assert not report.ok
    [drifted] = report.with_outcome(Outcome.DRIFTED)
    assert drifted.resource_type == "AWS::DynamoDB::Table"
    assert DELETED_TABLE in drifted.detail
    assert "ResourceNotFoundException" in drifted.detail


def test_a_canary_schedule_disabled_behind_cloudformation_is_reported_drifted(emulator: Emulator) -> None:
    report = verify(emulator, STOPPED_CANARY_ENV)
    [drifted] = report.with_outcome(Outcome.DRIFTED)
    assert drifted.resource_type == "AWS::Events::Rule"
    assert drifted.detail == "state: template declares 'ENABLED', target has 'DISABLED'"


def test_emulator_limits_are_not_excuses_on_a_faithful_target(emulator: Emulator) -> None:
    report = verify(emulator, PRISTINE_ENV, as_emulator=False)
    drifted_types = {check.resource_type for check in report.with_outcome(Outcome.DRIFTED)}
    assert {"AWS::CloudWatch::Alarm", "AWS::S3::BucketPolicy"} <= drifted_types
    assert not report.ok


def test_a_stack_that_was_never_deployed_is_drifted(emulator: Emulator) -> None:
    report = verify(emulator, "staging")
    [check] = report.checks
    assert (check.resource_type, check.outcome) == ("AWS::CloudFormation::Stack", Outcome.DRIFTED)


def test_cli_deployed_mode_exits_0_on_the_emulator_and_prints_every_outcome(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.endpoint_url)
    code = verify_aws_state.main(
        ["--mode", "deployed", "--env", PRISTINE_ENV, "--assembly", str(emulator.assembly)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "VERIFIED" in out
    assert "NOT-VERIFIABLE" in out
    assert f"on emulator at {emulator.endpoint_url}: 0 drifted" in out


def test_cli_deployed_mode_exits_1_on_drift(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.endpoint_url)
    code = verify_aws_state.main(
        ["--mode", "deployed", "--env", DRIFTED_ENV, "--assembly", str(emulator.assembly)]
    )
    assert code == 1
    assert "DRIFTED" in capsys.readouterr().out
