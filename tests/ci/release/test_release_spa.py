"""The SPA in a release: built into the artifact, published with the environment's config.json and a
CloudFront invalidation (on a moto server), and smoked in a real headless Chromium: the API's health, and
the smoke user signed in through the page's form, listing their documents from the locally served API."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from careervp.resources import ENV_VAR_CORS_ALLOWED_ORIGIN, ENV_VAR_USER_POOL_CLIENT_ID, ENV_VAR_USER_POOL_ID
from careervp_ci.release import feature_checks, spa_smoke
from careervp_ci.release.cloudformation import AwsSession
from careervp_ci.release.feature_checks import (
    CHECKS_BY_NAME,
    DeployedTarget,
    run_feature_checks,
    spa_config_names_the_api,
    spa_shows_api_health,
)
from careervp_ci.release.smoke_user import SmokeUser, signed_in
from careervp_ci.release.spa import CONFIG, SignIn, SpaError, publish_spa, sign_in, site_config
from careervp_ci.release.spa_smoke import (
    BrowserFailed,
    ChromiumMissing,
    DocumentsPage,
    chromium,
    local_files,
    serve_deployed_spa,
    serve_spa,
    sign_in_on_spa,
)
from careervp_infra.frontend_names import BUCKET_OUTPUT, DISTRIBUTION_OUTPUT
from careervp_local.emulator import provision, resource_env
from careervp_local.http_server import serve_locally
from support.built_spa import build_the_spa
from support.fixed_http import fixed_http
from support.moto_server import clean_moto_server

API = "https://abc123.execute-api.eu-west-1.amazonaws.com/dev/"
BUCKET = "careervp-dev-frontend-site"
OUTPUTS = {BUCKET_OUTPUT: BUCKET, "ApiUrl": API}
HEALTHY = {"status": "ok", "environment": "dev", "version": "abc123", "checks": []}
CORS = {"Access-Control-Allow-Origin": "*"}
SIGNING_IN = SignIn("https://cognito-idp.eu-west-1.amazonaws.com/", "client-1")
SIGN_IN_CHECKS = tuple(
    CHECKS_BY_NAME[name] for name in ("spa_signs_in_and_lists_documents", "spa_lists_a_stored_document")
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle holding the SPA the tree builds (the locked install and esbuild, as the release build runs
    them)."""
    folder = build_the_spa(tmp_path_factory.mktemp("spa"))
    assert sorted(path.name for path in (folder / "spa").iterdir()) == ["app.js", "index.html"]
    return folder


@pytest.fixture
def emulator() -> Iterator[AwsSession]:
    with clean_moto_server() as endpoint:
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=BUCKET)
        yield AwsSession(region="us-east-1", endpoint=endpoint, credentials={}, account="123456789012")


def objects(session: AwsSession) -> dict[str, Any]:
    s3: Any = session.client("s3")
    listed = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {item["Key"]: s3.head_object(Bucket=BUCKET, Key=item["Key"]) for item in listed}


def test_the_build_puts_no_environment_into_the_spa(bundle: Path) -> None:
    built = b"".join(path.read_bytes() for path in (bundle / "spa").rglob("*"))
    for environment_fact in (b"execute-api", b"cloudfront.net", b'"dev"', b"staging", b"prod"):
        assert environment_fact not in built
    assert not (bundle / "spa" / CONFIG).exists()


def test_config_names_the_api_and_where_users_sign_in_and_refuses_what_is_not_an_http_url() -> None:
    assert json.loads(site_config(API, "dev", SIGNING_IN)) == {
        "apiBaseUrl": API,
        "cognitoEndpoint": "https://cognito-idp.eu-west-1.amazonaws.com/",
        "environment": "dev",
        "userPoolClientId": "client-1",
    }
    with pytest.raises(SpaError, match=r"ApiUrl 'None' is not an http\(s\) URL"):
        site_config("None", "dev", SIGNING_IN)


def test_on_aws_users_sign_in_at_the_regions_cognito_with_the_stacks_app_client() -> None:
    session = AwsSession(region="eu-west-1")
    outputs = {**OUTPUTS, "UserPoolId": "eu-west-1_abc", "UserPoolClientId": "client-7"}
    assert sign_in(session, outputs, "dev", emulator=False, log=print) == SignIn(
        "https://cognito-idp.eu-west-1.amazonaws.com/", "client-7"
    )
    with pytest.raises(SpaError, match="cannot name the users' app client: the stack has no UserPoolId"):
        sign_in(session, OUTPUTS, "dev", emulator=False, log=print)


def test_publish_uploads_the_spa_and_config_removes_stale_files_and_invalidates(
    bundle: Path, emulator: AwsSession
) -> None:
    emulator.client("s3").put_object(Bucket=BUCKET, Key="old.js", Body=b"gone")
    logged: list[str] = []

    first = publish_spa(emulator, bundle, OUTPUTS, "dev", "run-1", emulator=True, log=logged.append)
    second = publish_spa(emulator, bundle, OUTPUTS, "dev", "run-2", emulator=True, log=logged.append)

    stored = objects(emulator)
    assert sorted(stored) == ["app.js", CONFIG, "index.html"]
    [pool] = emulator.client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"]
    assert pool["Name"] == "careervp-dev-auth-users"  # moto's CloudFormation skips it: made as declared
    assert stored["index.html"]["ContentType"] == "text/html"
    assert stored[CONFIG]["ContentType"] == "application/json"
    assert {head["CacheControl"] for head in stored.values()} == {"no-cache"}
    body = json.loads(emulator.client("s3").get_object(Bucket=BUCKET, Key=CONFIG)["Body"].read())
    assert body["apiBaseUrl"] == API
    assert body["cognitoEndpoint"] == f"{emulator.endpoint}/"  # the emulator answers Cognito's JSON API
    assert body["userPoolClientId"] == sign_in(emulator, OUTPUTS, "dev", emulator=True, log=print).client_id
    cloudfront = emulator.client("cloudfront")
    [distribution] = cloudfront.list_distributions()["DistributionList"]["Items"]
    assert distribution["Comment"] == "careervp-dev-frontend-cdn"  # registered once, as declared
    made = cloudfront.list_invalidations(DistributionId=distribution["Id"])["InvalidationList"]["Items"]
    assert {item["Id"] for item in made} == {first, second}
    assert logged[-2] == (
        f"spa: 3 file(s) to s3://{BUCKET} (config.json names {API}, signing in at {emulator.endpoint}/)"
    )


def test_publish_refuses_a_stack_or_an_artifact_without_the_spa(
    bundle: Path, tmp_path: Path, emulator: AwsSession
) -> None:
    with pytest.raises(SpaError, match=f"no output {BUCKET_OUTPUT}: it does not host the SPA"):
        publish_spa(emulator, bundle, {"ApiUrl": API}, "dev", "r", emulator=True, log=print)
    with pytest.raises(SpaError, match=f"no output {DISTRIBUTION_OUTPUT}"):
        publish_spa(emulator, bundle, OUTPUTS, "dev", "r", emulator=False, log=print)
    with pytest.raises(SpaError, match=r"has no spa/index\.html: it was built before the SPA"):
        publish_spa(emulator, tmp_path, OUTPUTS, "dev", "r", emulator=True, log=print)


def test_the_local_stand_in_changes_only_the_api_config_json_names() -> None:
    files = {"index.html": b"<html>", CONFIG: site_config(API, "dev", SIGNING_IN)}
    served = local_files(files, "http://127.0.0.1:9/")
    assert served["index.html"] == b"<html>"
    assert json.loads(served[CONFIG]) == {
        **json.loads(site_config(API, "dev", SIGNING_IN)),
        "apiBaseUrl": "http://127.0.0.1:9/",
    }
    with pytest.raises(ValueError, match=r"holds no config\.json: was the SPA deployed"):
        local_files({"index.html": b"<html>"}, "http://127.0.0.1:9/")


def test_a_missing_chromium_fails_naming_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CAREERVP_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(ChromiumMissing, match="apt-get install chromium"):
        chromium()


def smoke(session: AwsSession, reports: Path, status: int, health: dict[str, Any]) -> list[str]:
    with (
        fixed_http(status, json.dumps(health).encode(), CORS) as api,
        serve_deployed_spa(session, OUTPUTS) as spa,
    ):
        spa.call_api(f"{api}/")
        target = DeployedTarget(api, "dev", True, session, outputs=OUTPUTS, spa_url=spa.url, reports=reports)
        outcomes = [check(target) for check in (spa_config_names_the_api, spa_shows_api_health)]
    return [f"{outcome.status} {outcome.detail}" for outcome in outcomes]


def test_chromium_shows_the_healthy_api_the_deployed_spa_calls(
    bundle: Path, emulator: AwsSession, tmp_path: Path
) -> None:
    publish_spa(emulator, bundle, OUTPUTS, "dev", "run", emulator=True, log=print)

    config, page = smoke(emulator, tmp_path, 200, HEALTHY)

    assert config.startswith(f"ok {CONFIG} names {API} and app client ")
    assert page.startswith("ok http://127.0.0.1:")
    assert "shows 'API healthy (dev, version abc123)'" in page
    assert (tmp_path / "spa-dev.png").read_bytes().startswith(b"\x89PNG")


def test_chromium_reports_a_degraded_api_as_a_failure(
    bundle: Path, emulator: AwsSession, tmp_path: Path
) -> None:
    publish_spa(emulator, bundle, OUTPUTS, "dev", "run", emulator=True, log=print)
    degraded = {
        **HEALTHY,
        "status": "degraded",
        "checks": [{"name": "table:kb-documents", "status": "unreachable"}],
    }

    _, page = smoke(emulator, tmp_path, 503, degraded)

    assert page.startswith("FAIL ")
    assert "shows 'API degraded (dev, version abc123): table:kb-documents'" in page


def test_cloudfront_serving_is_not_verifiable_on_the_emulator(emulator: AwsSession) -> None:
    target = DeployedTarget("http://api", "dev", True, emulator, outputs=OUTPUTS)
    outcome = CHECKS_BY_NAME["cloudfront_serves_spa"].outcome(target)
    assert outcome.status == "not verifiable"
    assert "serves no CDN" in outcome.detail


@pytest.fixture
def smoke_user(
    emulator: AwsSession, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[dict[str, str], SmokeUser]]:
    """The dev environment's tables, buckets and pool on the emulator, and a throwaway user signed in."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", str(emulator.endpoint))
    env = {**resource_env("dev"), "AWS_ENDPOINT_URL": str(emulator.endpoint)}
    provision(env)
    pool = {name: env[name] for name in (ENV_VAR_USER_POOL_ID, ENV_VAR_USER_POOL_CLIENT_ID)}
    with signed_in(pool, emulator.client("cognito-idp"), dedicated=False) as user:
        yield env, user


def signed_in_smoke(
    session: AwsSession, env: dict[str, str], user: SmokeUser, reports: Path, checks: tuple[Any, ...]
) -> list[str]:
    """`checks` as a deploy's smoke on the emulator runs them: the bucket's SPA served first, the API served
    allowing its origin, then config.json pointed at that API."""
    with (
        serve_deployed_spa(session, OUTPUTS) as spa,
        serve_locally({**env, ENV_VAR_CORS_ALLOWED_ORIGIN: spa.origin}) as api,
    ):
        spa.call_api(f"{api}/")
        target = DeployedTarget(
            api, "dev", True, session, outputs=OUTPUTS, spa_url=spa.url, reports=reports, user=user
        )
        return run_feature_checks(target, checks)


def test_chromium_signs_the_smoke_user_in_and_lists_a_document_stored_through_the_api(
    bundle: Path, emulator: AwsSession, smoke_user: tuple[dict[str, str], SmokeUser], tmp_path: Path
) -> None:
    publish_spa(emulator, bundle, OUTPUTS, "dev", "run", emulator=True, log=print)
    env, user = smoke_user

    signs_in, lists = signed_in_smoke(emulator, env, user, tmp_path, SIGN_IN_CHECKS)

    assert signs_in.startswith("ok   frontend: the SPA in Chromium signs the smoke user in"), signs_in
    assert "shows 'Your knowledge base: 0 documents', listing []" in signs_in
    assert lists.startswith("ok   frontend: the SPA in Chromium lists a document stored through"), lists
    assert "shows 'Your knowledge base: 1 document', listing ['spa smoke " in lists
    assert (tmp_path / "spa-documents-dev.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "spa-signin-dev.png").read_bytes().startswith(b"\x89PNG")


def test_a_sign_in_the_pool_refuses_fails_naming_what_the_page_showed(
    bundle: Path, emulator: AwsSession, smoke_user: tuple[dict[str, str], SmokeUser], tmp_path: Path
) -> None:
    publish_spa(emulator, bundle, OUTPUTS, "dev", "run", emulator=True, log=print)
    env, user = smoke_user
    wrong = dataclasses.replace(user, password=user.password + "x")

    (line,) = signed_in_smoke(emulator, env, wrong, tmp_path, SIGN_IN_CHECKS[:1])

    assert line.startswith("FAIL frontend: the SPA in Chromium signs the smoke user in"), line
    assert "shows 'Sign-in refused (NotAuthorizedException): " in line


def test_on_aws_the_sign_in_checks_sign_in_on_the_spa_cloudfront_serves(
    emulator: AwsSession, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The deployed API allows the distribution's origin (careervp_infra.service_stack), so on AWS the checks
    run: the browser signs in at the distribution's URL, asked of CloudFront by the stack's output."""
    publish_spa(emulator, bundle_stub(tmp_path), OUTPUTS, "dev", "run", emulator=True, log=print)
    [distribution] = emulator.client("cloudfront").list_distributions()["DistributionList"]["Items"]
    visited: list[str] = []

    def page(url: str, email: str, password: str, screenshot: Path) -> DocumentsPage:
        visited.append(url)
        return DocumentsPage("ok", "1 document", (), screenshot)

    monkeypatch.setattr(feature_checks, "sign_in_on_spa", page)
    user = SmokeUser({}, "token", "someone@example.com", "not-used")
    outputs = {**OUTPUTS, DISTRIBUTION_OUTPUT: distribution["Id"]}
    target = DeployedTarget(API, "dev", False, emulator, outputs=outputs, reports=tmp_path, user=user)

    (line,) = run_feature_checks(target, SIGN_IN_CHECKS[:1])

    assert line.startswith("ok   frontend: the SPA in Chromium signs the smoke user in"), line
    assert visited == [f"https://{distribution['DomainName']}/"]


def bundle_stub(folder: Path) -> Path:
    """A bundle with only an index page: enough to publish, for a test that never loads it."""
    (folder / "spa").mkdir()
    (folder / "spa" / "index.html").write_bytes(b"<!doctype html>")
    return folder


def test_a_page_that_never_offers_a_sign_in_fails_naming_what_it_showed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(spa_smoke, "PAGE_TIMEOUT_MS", 1_000)
    with (
        serve_spa({"index.html": b"<!doctype html><title>old</title><p>Checking the API</p>"}) as spa,
        pytest.raises(
            BrowserFailed, match=r"Timeout 1000ms exceeded; the page showed 'Checking the API'"
        ) as failed,
    ):
        sign_in_on_spa(spa.url, "someone@example.com", "not-used", tmp_path / "page.png")
    assert f"screenshot {tmp_path / 'page.png'}" in str(failed.value)
    assert (tmp_path / "page.png").read_bytes().startswith(b"\x89PNG")
