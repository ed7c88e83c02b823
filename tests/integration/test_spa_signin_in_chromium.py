"""The SPA in a real browser: Debian's Chromium (driven by Playwright, as the release smoke drives it) loads
the built SPA from one origin, signs a user in through the page's form against the user pool (a moto
server's Cognito, over the JSON API the pool's public client accepts), and lists that user's documents from
the API served on another origin, which allows the SPA's origin in CORS."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import boto3
import pytest
from careervp.resources import ENV_VAR_CORS_ALLOWED_ORIGIN, ENV_VAR_USER_POOL_CLIENT_ID, ENV_VAR_USER_POOL_ID
from careervp_ci.release.spa import CONFIG
from careervp_ci.release.spa_smoke import serve_spa, sign_in_on_spa, stored_document
from careervp_local import signin
from careervp_local.http_server import serve_locally
from support.built_spa import build_the_spa, built_files


@pytest.fixture(scope="module")
def spa_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return built_files(build_the_spa(tmp_path_factory.mktemp("spa")))


@pytest.mark.slow
def test_the_spa_on_one_origin_signs_in_and_lists_documents_from_the_api_on_another(
    backend_env: dict[str, str], moto_endpoint: str, spa_files: dict[str, bytes], tmp_path: Path
) -> None:
    cognito = boto3.client("cognito-idp")
    email, password = f"reader-{uuid.uuid4().hex[:8]}@example.com", signin.new_password()
    client_id = backend_env[ENV_VAR_USER_POOL_CLIENT_ID]
    signin.sign_up(cognito, backend_env[ENV_VAR_USER_POOL_ID], client_id, email, password)
    token = signin.id_token(cognito, client_id, email, password)
    config = {"apiBaseUrl": "", "cognitoEndpoint": moto_endpoint, "userPoolClientId": client_id}

    with (
        serve_spa({**spa_files, CONFIG: json.dumps(config).encode()}) as spa,
        serve_locally({**backend_env, ENV_VAR_CORS_ALLOWED_ORIGIN: spa.origin}) as api,
    ):
        spa.call_api(f"{api}/")
        with stored_document(api, token, "CV for the browser") as document_id:
            page = sign_in_on_spa(spa.url, email, password, tmp_path / "signed-in.png")

    assert (page.state, page.text) == ("ok", "Your knowledge base: 1 document")
    assert page.documents == ((document_id, "CV for the browser"),)
    assert (tmp_path / "signed-in.png").read_bytes().startswith(b"\x89PNG")
