"""Everything that is specific to the local AWS emulator (moto), in one place.

- `running_emulator`: a moto server on 127.0.0.1 for the life of one command. Its endpoint is
  `http://localhost:PORT`: moto reads a `127.0.0.1` host as an S3 bucket name.
- `serve_forever` (`careervp-ci emulator --port PORT`): the same server, long-lived in the foreground, for
  targets files whose environments name `endpoint = "http://localhost:PORT"` (and for the e2e tests).
- `bootstrap`: what `cdk bootstrap` and an operator do once per AWS account, done for the emulator: the
  CDK asset bucket, the bootstrap-version SSM parameter the standard template's rule and parameter read,
  and the webhook signing secret the stack imports by name (seeded from $STRIPE_WEBHOOK_SECRET).
- Limits: Lambda does not execute in moto (smoke serves the real handlers locally against the emulator's
  tables and bucket); moto skips some resources while reporting CREATE_COMPLETE (the infra verifier says
  "not verifiable" for those, `careervp_infra.verify.blind_spots`); moto ignores template `Rules`.
- moto 5.2.5 executes change sets in template order, without outputs or tags: `moto_change_sets` fixes that
  at emulator start (`prepare_emulator`); its CloudFormation skips Lambda aliases and answers no `Ref` for a
  version: `moto_lambda_aliases` fixes that there too; it skips CloudFront distributions, whose domain the
  template reads: `moto_cloudfront_distributions` registers them. CodeDeploy it does not run at all.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from careervp_ci.errors import UsageError
from careervp_ci.release.cloudformation import AwsSession

if TYPE_CHECKING:
    from careervp_ci.release.moto_server import MotoServer

EMULATOR_ACCOUNT = "123456789012"
"""moto's default account id (the asset bucket's name contains it)."""
BOOTSTRAP_QUALIFIER = "hnb659fds"
BOOTSTRAP_VERSION = "30"
"""Stands in for the CDK bootstrap stack's version; the standard template requires >= 6."""
EMULATOR_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "emulator-key-id-not-real",
    "AWS_SECRET_ACCESS_KEY": "emulator-key-not-real",
}
"""Placeholder credentials the emulator accepts; never real ones. Not a plain word: output masking replaces
a credential's value wherever it appears, and "emulator" is a word the smoke's lines use."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_emulator() -> Iterator[str]:
    """Start a moto server on 127.0.0.1 for the block; yields its endpoint URL."""
    server = prepare_emulator()(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    try:
        yield f"http://localhost:{port}"
    finally:
        server.stop()


def serve_forever(port: int) -> int:
    """Run a moto server on 127.0.0.1:`port` (0: any free port) until Ctrl-C or SIGTERM; prints the
    endpoint to use first. Its state lives in this process: stopping it forgets every stack. A port that is
    no port, or taken, is a UsageError."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port} is not a TCP port (0-65535; 0 picks a free one)")
    server = prepare_emulator()(ip_address="127.0.0.1", port=port, verbose=False)
    try:
        server.start()
    except OSError as error:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {error}") from None
    endpoint = f"http://localhost:{server.get_host_and_port()[1]}"
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"emulator: {endpoint}", flush=True)
    print(
        f"[release] emulator running; bind an environment to it in a targets file ($CAREERVP_TARGETS): "
        f'[targets.<env>] endpoint = "{endpoint}". Ctrl-C stops it (and forgets its state).',
        file=sys.stderr,
        flush=True,
    )
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def prepare_emulator() -> type[MotoServer]:
    """What every emulator the project starts needs: moto quiet, its change-set execution fixed
    (`moto_change_sets`), so the emulator executes the reviewed change sets prod's deploy runs, and its
    CloudFormation creating function versions and aliases (`moto_lambda_aliases`), which staging and prod
    stacks declare, and the CloudFront distribution whose domain the functions allow in CORS
    (`moto_cloudfront_distributions`). Returns the server class (`moto_server`: one whose start fails loudly).

    moto is imported here, not with this module: loading its CloudFormation takes ~2.5 s of CPU, which every
    `careervp-ci` release command paid at start-up, though only a command that starts an emulator needs it."""
    from careervp_ci.release import (  # noqa: PLC0415  (see the docstring)
        moto_change_sets,
        moto_cloudfront_distributions,
        moto_lambda_aliases,
    )
    from careervp_ci.release.moto_server import MotoServer  # noqa: PLC0415

    quiet_emulator()
    moto_change_sets.install()
    moto_lambda_aliases.install()
    moto_cloudfront_distributions.install()
    return MotoServer


def quiet_emulator() -> None:
    """Silence moto's per-request and "unsupported resource" chatter so the deploy log stays readable;
    what the emulator cannot show is reported by the verifier instead."""
    for name in ("werkzeug", "moto"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=UserWarning, module=r"moto\..*")


def asset_bucket(account: str, region: str) -> str:
    return f"cdk-{BOOTSTRAP_QUALIFIER}-assets-{account}-{region}"


def bootstrap(session: AwsSession, secret_names: list[str], secret_value: str) -> None:
    """Make the emulator look like a bootstrapped account (idempotent)."""
    s3: Any = session.client("s3")
    bucket = asset_bucket(session.account, session.region)
    existing = {entry["Name"] for entry in s3.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        if session.region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": session.region})
    session.client("ssm").put_parameter(
        Name=f"/cdk-bootstrap/{BOOTSTRAP_QUALIFIER}/version",
        Value=BOOTSTRAP_VERSION,
        Type="String",
        Overwrite=True,
    )
    secrets: Any = session.client("secretsmanager")
    for name in secret_names:
        try:
            secrets.describe_secret(SecretId=name)
        except secrets.exceptions.ResourceNotFoundException:
            secrets.create_secret(Name=name, SecretString=secret_value)
