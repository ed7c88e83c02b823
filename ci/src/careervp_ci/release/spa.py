"""The SPA in a release: built once into the artifact (`spa/`, covered by its digest), and published by a
deploy into the environment's bucket with that environment's `config.json`, then invalidated in CloudFront.

Why inside the release artifact rather than a sibling one: the SPA and the stack that hosts it are released
together (the stack's outputs name the bucket and distribution the files go to, and the API the SPA calls),
so one digest names one consistent pair, promoted and rolled back as one; a sibling artifact would need a
second digest kept in step with the first in every ledger entry, approval and promotion.

The built files never name an environment: `config.json`, written here at deploy time, tells the SPA its API
(`apiBaseUrl`: the stack's ApiUrl) and where its users sign in (`cognitoEndpoint`, `userPoolClientId`: the
region's Cognito endpoint and the stack's public app client). moto's CloudFormation skips the user pool, so
on the emulator the deploy makes it as declared through its own API (as the smoke does, `release.smoke_user`;
config.json then names the emulator as the endpoint); the distribution the invalidation targets is the one
the project's emulator registers from the stack (`release.moto_cloudfront_distributions`), found by its
comment, or registered here for a stack without it. That CloudFront serves anything is not verifiable there.
"""

from __future__ import annotations

import json
import mimetypes
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careervp.resources import ENV_VAR_USER_POOL_CLIENT_ID
from careervp_infra.frontend_names import BUCKET_OUTPUT, DISTRIBUTION_OUTPUT, INDEX, distribution_comment

from careervp_ci.errors import CareervpError
from careervp_ci.pipeline.steps.frontend import FRONTEND, NPM_CI, installed, mark_installed
from careervp_ci.release.cloudformation import AwsSession
from careervp_ci.release.smoke_user import NoUserPool, user_pool

SPA = "spa"
"""The SPA's built files inside the artifact."""
CONFIG = "config.json"
CACHE_CONTROL = "no-cache"
"""Browsers revalidate every file (their names carry no hash): a deploy takes effect at the next load."""

Run = Callable[[str, list[str], Path], object]


class SpaError(CareervpError):
    """The SPA could not be built or published; the message names the file or call and what to do."""


def build_spa(src: Path, bundle: Path, run: Run) -> list[str]:
    """Install frontend/'s lock exactly, build it, and copy its dist/ into the bundle's `spa/`; returns the
    files. `run(stage, argv, cwd)` raises on failure (the release build's runner)."""
    folder = src / FRONTEND
    if not (folder / "package-lock.json").is_file():
        raise SpaError(f"{folder}/package-lock.json is missing: the SPA must be a locked npm project")
    if not installed(folder):
        run("install the SPA's tools", [*NPM_CI], folder)
        mark_installed(folder)
    run("build the SPA", ["npm", "run", "build"], folder)
    dist = folder / "dist"
    if not (dist / INDEX).is_file():
        raise SpaError(f"the SPA's build wrote no {INDEX} into {dist}")
    shutil.copytree(dist, bundle / SPA)
    return sorted(
        path.relative_to(bundle / SPA).as_posix() for path in (bundle / SPA).rglob("*") if path.is_file()
    )


@dataclass(frozen=True)
class SignIn:
    """Where the SPA signs its users in: Cognito's endpoint and the user pool's public app client."""

    endpoint: str
    client_id: str


def sign_in(
    session: AwsSession,
    stack_outputs: Mapping[str, str],
    stack_env: str,
    *,
    emulator: bool,
    log: Callable[[str], None],
) -> SignIn:
    """The environment's: on AWS the region's Cognito endpoint and the stack's app client; on an emulator,
    the emulator itself (moto answers Cognito's JSON API, CORS included) and the pool made there."""
    kind = "emulator" if emulator else "aws"
    try:
        pool = user_pool(kind, stack_env, stack_outputs, session.client("cognito-idp"), log)
    except NoUserPool as error:
        raise SpaError(f"config.json cannot name the users' app client: {error}") from error
    regional = f"https://cognito-idp.{session.region}.amazonaws.com"
    endpoint = (session.endpoint if emulator else None) or regional
    return SignIn(endpoint.rstrip("/") + "/", pool[ENV_VAR_USER_POOL_CLIENT_ID])


def site_config(api_url: str, stack_env: str, signing_in: SignIn) -> bytes:
    """The environment's config.json: the API the SPA calls, where its users sign in, and the environment's
    name."""
    if not api_url.startswith(("https://", "http://")):
        raise SpaError(f"the stack's ApiUrl {api_url!r} is not an http(s) URL; config.json cannot name it")
    config = {
        "apiBaseUrl": api_url,
        "cognitoEndpoint": signing_in.endpoint,
        "environment": stack_env,
        "userPoolClientId": signing_in.client_id,
    }
    return json.dumps(config, sort_keys=True).encode() + b"\n"


def content_type(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def publish_spa(
    session: AwsSession,
    bundle: Path,
    stack_outputs: Mapping[str, str],
    stack_env: str,
    run_id: str,
    *,
    emulator: bool,
    log: Callable[[str], None],
) -> str:
    """Upload the artifact's SPA and the environment's config.json, remove files the release no longer has,
    and invalidate the distribution; returns the invalidation's id. A stack without the SPA's outputs, or an
    artifact without `spa/`, is a SpaError naming which."""
    needed = (BUCKET_OUTPUT, "ApiUrl") if emulator else (BUCKET_OUTPUT, DISTRIBUTION_OUTPUT, "ApiUrl")
    missing = [name for name in needed if not stack_outputs.get(name)]
    if missing:
        raise SpaError(f"the stack has no output {', '.join(missing)}: it does not host the SPA")
    site = bundle / SPA
    if not (site / INDEX).is_file():
        raise SpaError(f"the artifact has no {SPA}/{INDEX}: it was built before the SPA joined the release")
    bucket = stack_outputs[BUCKET_OUTPUT]
    s3: Any = session.client("s3")
    files = {
        path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*") if path.is_file()
    }
    signing_in = sign_in(session, stack_outputs, stack_env, emulator=emulator, log=log)
    files[CONFIG] = site_config(stack_outputs["ApiUrl"], stack_env, signing_in)
    for key, body in sorted(files.items()):
        s3.put_object(
            Bucket=bucket, Key=key, Body=body, ContentType=content_type(key), CacheControl=CACHE_CONTROL
        )
    listed = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    stale = sorted(
        item["Key"] for page in listed for item in page.get("Contents", []) if item["Key"] not in files
    )
    for key in stale:
        s3.delete_object(Bucket=bucket, Key=key)
    log(
        f"spa: {len(files)} file(s) to s3://{bucket} (config.json names {stack_outputs['ApiUrl']}, "
        f"signing in at {signing_in.endpoint})"
    )
    cloudfront: Any = session.client("cloudfront")
    if emulator:
        distribution = _emulator_distribution(cloudfront, bucket, distribution_comment(stack_env), run_id)
    else:
        distribution = stack_outputs[DISTRIBUTION_OUTPUT]
    batch = {"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": run_id}
    made = cloudfront.create_invalidation(DistributionId=distribution, InvalidationBatch=batch)
    invalidation = str(made["Invalidation"]["Id"])
    log(f"spa: CloudFront invalidation {invalidation} of /* on {distribution}")
    return invalidation


def _emulator_distribution(cloudfront: Any, bucket: str, comment: str, run_id: str) -> str:
    """The emulator's distribution for the stack, found by its comment (its name): the one the emulator's
    CloudFormation registered (`release.moto_cloudfront_distributions`), else registered here, once."""
    for item in cloudfront.list_distributions().get("DistributionList", {}).get("Items", []) or []:
        if item.get("Comment") == comment:
            return str(item["Id"])
    origin = f"{bucket}.s3.amazonaws.com"
    config = {
        "CallerReference": run_id,
        "Comment": comment,
        "Enabled": True,
        "DefaultRootObject": INDEX,
        "Origins": {
            "Quantity": 1,
            "Items": [{"Id": "site", "DomainName": origin, "S3OriginConfig": {"OriginAccessIdentity": ""}}],
        },
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https"},
    }
    return str(cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"])


def distribution_url(session: AwsSession, stack_outputs: Mapping[str, str]) -> str:
    """Where CloudFront serves the SPA (`https://<domain>/`), asked of CloudFront (the template cannot say
    it: see `careervp_infra.frontend`)."""
    cloudfront: Any = session.client("cloudfront")
    found = cloudfront.get_distribution(Id=stack_outputs[DISTRIBUTION_OUTPUT])
    return f"https://{found['Distribution']['DomainName']}/"
