"""The SPA in a release: built into the artifact, published with the environment's config.json and a
CloudFront invalidation (on a moto server), and smoked in a real headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from careervp_ci.release.cloudformation import AwsSession
from careervp_ci.release.feature_checks import (
    CHECKS_BY_NAME,
    DeployedTarget,
    spa_config_names_the_api,
    spa_shows_api_health,
)
from careervp_ci.release.spa import CONFIG, SpaError, build_spa, publish_spa, site_config
from careervp_ci.release.spa_smoke import ChromiumMissing, chromium, local_files, serve_deployed_spa
from careervp_infra.frontend_names import BUCKET_OUTPUT, DISTRIBUTION_OUTPUT
from support.fixed_http import fixed_http
from support.moto_server import clean_moto_server

ROOT = Path(__file__).resolve().parents[3]
API = "https://abc123.execute-api.eu-west-1.amazonaws.com/dev/"
BUCKET = "careervp-dev-frontend-site"
OUTPUTS = {BUCKET_OUTPUT: BUCKET, "ApiUrl": API}
HEALTHY = {"status": "ok", "environment": "dev", "version": "abc123", "checks": []}
CORS = {"Access-Control-Allow-Origin": "*"}


def runner(stage: str, argv: list[str], cwd: Path) -> None:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{stage}: {done.stderr}"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle holding the SPA the tree builds (npm ci and esbuild, as the release build runs them)."""
    src = tmp_path_factory.mktemp("src")
    shutil.copytree(
        ROOT / "frontend", src / "frontend", ignore=shutil.ignore_patterns("node_modules", "dist")
    )
    folder = tmp_path_factory.mktemp("bundle")
    files = build_spa(src, folder, runner)
    assert files == ["app.js", "index.html"]
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


def test_config_names_the_api_and_refuses_what_is_not_an_http_url() -> None:
    assert json.loads(site_config(API, "dev")) == {"apiBaseUrl": API, "environment": "dev"}
    with pytest.raises(SpaError, match=r"ApiUrl 'None' is not an http\(s\) URL"):
        site_config("None", "dev")


def test_publish_uploads_the_spa_and_config_removes_stale_files_and_invalidates(
    bundle: Path, emulator: AwsSession
) -> None:
    emulator.client("s3").put_object(Bucket=BUCKET, Key="old.js", Body=b"gone")
    logged: list[str] = []

    first = publish_spa(emulator, bundle, OUTPUTS, "dev", "run-1", emulator=True, log=logged.append)
    second = publish_spa(emulator, bundle, OUTPUTS, "dev", "run-2", emulator=True, log=logged.append)

    stored = objects(emulator)
    assert sorted(stored) == ["app.js", CONFIG, "index.html"]
    assert stored["index.html"]["ContentType"] == "text/html"
    assert stored[CONFIG]["ContentType"] == "application/json"
    assert {head["CacheControl"] for head in stored.values()} == {"no-cache"}
    body = emulator.client("s3").get_object(Bucket=BUCKET, Key=CONFIG)["Body"].read()
    assert body == site_config(API, "dev")
    cloudfront = emulator.client("cloudfront")
    [distribution] = cloudfront.list_distributions()["DistributionList"]["Items"]
    assert distribution["Comment"] == "careervp-dev-frontend-cdn"  # registered once, as declared
    made = cloudfront.list_invalidations(DistributionId=distribution["Id"])["InvalidationList"]["Items"]
    assert {item["Id"] for item in made} == {first, second}
    assert logged[0] == f"spa: 3 file(s) to s3://{BUCKET} (config.json names {API})"


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
    files = {"index.html": b"<html>", CONFIG: site_config(API, "dev")}
    served = local_files(files, "http://127.0.0.1:9/")
    assert served["index.html"] == b"<html>"
    assert json.loads(served[CONFIG]) == {"apiBaseUrl": "http://127.0.0.1:9/", "environment": "dev"}
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
        serve_deployed_spa(session, OUTPUTS, f"{api}/") as spa_url,
    ):
        target = DeployedTarget(api, "dev", True, session, outputs=OUTPUTS, spa_url=spa_url, reports=reports)
        outcomes = [check(target) for check in (spa_config_names_the_api, spa_shows_api_health)]
    return [f"{outcome.status} {outcome.detail}" for outcome in outcomes]


def test_chromium_shows_the_healthy_api_the_deployed_spa_calls(
    bundle: Path, emulator: AwsSession, tmp_path: Path
) -> None:
    publish_spa(emulator, bundle, OUTPUTS, "dev", "run", emulator=True, log=print)

    config, page = smoke(emulator, tmp_path, 200, HEALTHY)

    assert config == f"ok {CONFIG} names {API}"
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
