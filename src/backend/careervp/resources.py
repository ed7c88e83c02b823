"""The one description of CareerVP's data resources and Lambda functions.

Code and infrastructure both read this module: the handlers find their tables and bucket through the
environment variables named here, and the CDK stacks create exactly these tables, buckets, secrets and
functions, wire the routes to the functions and grant each function only the access listed for it.
Plain frozen dataclasses, no AWS calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

ENV_VAR_ENVIRONMENT = "CAREERVP_ENV"
ENV_VAR_VERSION = "CAREERVP_VERSION"
ENV_VAR_KB_TABLE = "CAREERVP_KB_TABLE"
ENV_VAR_GAP_TABLE = "CAREERVP_GAP_TABLE"
ENV_VAR_BILLING_TABLE = "CAREERVP_BILLING_TABLE"
ENV_VAR_KB_BUCKET = "CAREERVP_KB_BUCKET"
ENV_VAR_INTERVIEW_TABLE = "CAREERVP_INTERVIEW_TABLE"
ENV_VAR_RESEARCH_TABLE = "CAREERVP_RESEARCH_TABLE"
ENV_VAR_RESEARCH_BUCKET = "CAREERVP_RESEARCH_BUCKET"
ENV_VAR_RESEARCH_ALLOWED_HOSTS = "CAREERVP_RESEARCH_ALLOWED_HOSTS"
"""Comma-separated hosts company research may fetch, private ones included (tests and local runs: 127.0.0.1);
unset (deployed), any host with only public addresses."""
ENV_VAR_INTERVIEW_BUCKET = "CAREERVP_INTERVIEW_BUCKET"
ENV_VAR_CORS_ALLOWED_ORIGIN = "CAREERVP_CORS_ALLOWED_ORIGIN"
"""The one origin (`scheme://host[:port]`) whose pages may call the API from a browser: the environment's
SPA (`spa_origin` in infra/environments.toml). Unset: no cross-origin caller is allowed."""
ENV_VAR_STRIPE_WEBHOOK_SECRET = "STRIPE_WEBHOOK_SECRET"  # noqa: S105 (a variable name, not a secret)
"""The webhook signing secret's value itself: local runs and tests only."""
ENV_VAR_STRIPE_WEBHOOK_SECRET_ARN = "STRIPE_WEBHOOK_SECRET_ARN"  # noqa: S105 (a variable name)
"""The Secrets Manager ARN holding the webhook signing secret: deployed environments."""
ENV_VAR_TAILORING_BUCKET = "CAREERVP_TAILORING_BUCKET"
ENV_VAR_LETTERS_BUCKET = "CAREERVP_LETTERS_BUCKET"
ENV_VAR_ANTHROPIC_API_KEY = "ANTHROPIC_API_KEY"
"""The model API key's value itself: local runs and tests only (there it keys the Messages-API stand-in)."""
ENV_VAR_ANTHROPIC_API_KEY_ARN = "ANTHROPIC_API_KEY_ARN"
"""The Secrets Manager ARN holding the model API key: deployed environments (the deploy stores the value)."""
ENV_VAR_ANTHROPIC_BASE_URL = "ANTHROPIC_BASE_URL"
"""Where the Messages API is: the stand-in (`careervp_local.messages_standin`) in tests, `serve` and the
emulator smoke; unset (deployed), the SDK's default, Anthropic's API."""
ENV_VAR_HEALTH_URL = "CAREERVP_HEALTH_URL"
ENV_VAR_PRE_TRAFFIC_TARGETS = "CAREERVP_PRE_TRAFFIC_TARGETS"
"""JSON: each CodeDeploy deployment group's name -> the component of the function it deploys and the ARN
of the version it shifts traffic to (`careervp.pre_traffic`)."""
"""The deployed API's `/health` URL, which the synthetic health check calls."""
ENV_VAR_NOTIFICATIONS_SENDER = "CAREERVP_NOTIFICATIONS_SENDER"
"""The address notifications are sent from (an SES identity of the environment)."""
ENV_VAR_USER_POOL_ID = "CAREERVP_USER_POOL_ID"
"""The Cognito user pool whose ID tokens the API accepts: read by the local server, which plays API Gateway's
authorizer (`careervp_local.authorizer`); deployed functions never see a token, API Gateway checks it."""
ENV_VAR_USER_POOL_CLIENT_ID = "CAREERVP_USER_POOL_CLIENT_ID"
"""The app client the ID tokens must be issued to (their `aud`)."""

SERVICE_NAME = "careervp"
"""Powertools service name (structured logs) for every function."""
METRICS_NAMESPACE = "CareerVP"
"""CloudWatch namespace of the functions' EMF metrics (including the cost-per-request metric)."""

COMMON_ENV_VARS: tuple[str, ...] = (ENV_VAR_ENVIRONMENT, ENV_VAR_VERSION)
"""Environment variables every function reads, whatever resources it uses."""

KeyType = Literal["S", "N", "B"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class Access(StrEnum):
    """How a function uses a resource; infra turns it into the narrowest matching grant."""

    READ = "read"
    READ_WRITE = "read_write"
    WRITE = "write"
    """Write only: put objects into a bucket it never reads or lists (a report it hands off)."""


@dataclass(frozen=True)
class KeyAttribute:
    """One key attribute of a DynamoDB table."""

    name: str
    type: KeyType = "S"


@dataclass(frozen=True)
class Table:
    """A DynamoDB table: physical name `careervp-<env>-<component>-<resource>`, on-demand, PITR."""

    component: str
    resource: str
    partition_key: KeyAttribute
    env_var: str
    sort_key: KeyAttribute | None = None
    ttl_attribute: str | None = None
    """Epoch-seconds attribute DynamoDB expires items by, when the table has one."""

    @property
    def output(self) -> str:
        """The stack output carrying the table's name (a deploy serves the handlers from it)."""
        return f"{self.component.capitalize()}TableName"


@dataclass(frozen=True)
class Bucket:
    """An S3 bucket: physical name `careervp-<env>-<component>-<resource>`, encrypted, private, TLS only."""

    component: str
    resource: str
    env_var: str

    @property
    def output(self) -> str:
        """The stack output carrying the bucket's name."""
        return f"{self.component.capitalize()}BucketName"


@dataclass(frozen=True)
class Secret:
    """A Secrets Manager secret; the function gets its ARN in `env_var` and reads the value at run time."""

    component: str
    resource: str
    env_var: str


@dataclass(frozen=True)
class Route:
    """One API Gateway route; `path` uses API Gateway's `{param}` syntax."""

    method: HttpMethod
    path: str


@dataclass(frozen=True)
class TableGrant:
    table: Table
    access: Access


@dataclass(frozen=True)
class BucketGrant:
    bucket: Bucket
    access: Access


@dataclass(frozen=True)
class Function:
    """A Lambda function: physical name `careervp-<env>-<component>-<resource>`, Python 3.13."""

    component: str
    handler: str
    """Dotted path of the Lambda entry point, `careervp.handlers.<x>.handler`."""
    routes: tuple[Route, ...]
    tables: tuple[TableGrant, ...] = ()
    buckets: tuple[BucketGrant, ...] = ()
    secrets: tuple[Secret, ...] = ()
    resource: str = "api"
    timeout_seconds: int = 10
    """Lambda's timeout; an API function's must stay under API Gateway's 29 s integration limit."""
    p99_latency_ms: int | None = None
    """The p99-duration alarm's threshold; None: the environment's (`p99_latency_threshold_ms`)."""
    public: bool = False
    """Its routes need no signed-in user. The one declaration of who may call what: infra puts the Cognito
    authorizer on every other function's routes, the local server enforces the same, the contract says so."""

    @property
    def env_vars(self) -> tuple[str, ...]:
        """Every environment variable the function reads (infra sets each one)."""
        names = [
            *COMMON_ENV_VARS,
            *(grant.table.env_var for grant in self.tables),
            *(grant.bucket.env_var for grant in self.buckets),
            *(secret.env_var for secret in self.secrets),
        ]
        return tuple(dict.fromkeys(names))

    @property
    def calls_model(self) -> bool:
        """It calls the model (it reads the model API key): infra gives it a model-spend alarm."""
        return any(secret.env_var == ENV_VAR_ANTHROPIC_API_KEY_ARN for secret in self.secrets)


KB_TABLE = Table(
    component="kb",
    resource="documents",
    partition_key=KeyAttribute("document_id"),
    env_var=ENV_VAR_KB_TABLE,
)
GAP_TABLE = Table(
    component="gap",
    resource="responses",
    partition_key=KeyAttribute("response_id"),
    env_var=ENV_VAR_GAP_TABLE,
)
BILLING_TABLE = Table(
    component="billing",
    resource="subscriptions",
    partition_key=KeyAttribute("pk"),
    sort_key=KeyAttribute("sk"),
    env_var=ENV_VAR_BILLING_TABLE,
    ttl_attribute="expires_at",
)
"""Single-table billing state: `SUBSCRIPTION#<id>` items, `EVENT#<id>` markers of processed webhook events."""

INTERVIEW_TABLE = Table(
    component="interview",
    resource="sessions",
    partition_key=KeyAttribute("session_id"),
    env_var=ENV_VAR_INTERVIEW_TABLE,
    ttl_attribute="expires_at",
)
"""Interview-prep sessions (questions, the candidate's STAR answers): personal data, expired by TTL."""

RESEARCH_TABLE = Table(
    component="research",
    resource="results",
    partition_key=KeyAttribute("research_id"),
    env_var=ENV_VAR_RESEARCH_TABLE,
)

TABLES: tuple[Table, ...] = (KB_TABLE, GAP_TABLE, BILLING_TABLE, INTERVIEW_TABLE, RESEARCH_TABLE)


@dataclass(frozen=True)
class UserPool:
    """A Cognito user pool and its one app client: physical names `careervp-<env>-<component>-<resource>`
    (the client's with `-client`); sign-in by email, ID tokens for the API's authorizer."""

    component: str
    resource: str
    pool_output: str
    client_output: str


USER_POOL = UserPool(
    component="auth", resource="users", pool_output="UserPoolId", client_output="UserPoolClientId"
)
"""CareerVP's users; its stack outputs name the pool and client for the smoke and the local server."""

KB_BUCKET = Bucket(component="kb", resource="documents", env_var=ENV_VAR_KB_BUCKET)
INTERVIEW_BUCKET = Bucket(component="interview", resource="reports", env_var=ENV_VAR_INTERVIEW_BUCKET)

RESEARCH_BUCKET = Bucket(component="research", resource="snapshots", env_var=ENV_VAR_RESEARCH_BUCKET)

TAILORING_BUCKET = Bucket(component="tailoring", resource="cvs", env_var=ENV_VAR_TAILORING_BUCKET)
"""Tailored CVs (Markdown): personal data, written by the tailoring function, never read back by it."""
LETTERS_BUCKET = Bucket(component="letters", resource="cover-letters", env_var=ENV_VAR_LETTERS_BUCKET)
"""Cover letters (Markdown): personal data, written by the letters function, never read back by it."""

BUCKETS: tuple[Bucket, ...] = (KB_BUCKET, INTERVIEW_BUCKET, RESEARCH_BUCKET, TAILORING_BUCKET, LETTERS_BUCKET)

STRIPE_WEBHOOK_SECRET = Secret(
    component="billing",
    resource="stripe-webhook-secret",
    env_var=ENV_VAR_STRIPE_WEBHOOK_SECRET_ARN,
)

ANTHROPIC_API_KEY_SECRET = Secret(
    component="generation",
    resource="anthropic-api-key",
    env_var=ENV_VAR_ANTHROPIC_API_KEY_ARN,
)
"""The model API key; `careervp-ci deploy` stores the pipeline's ANTHROPIC_API_KEY in it before the stack."""

SECRETS: tuple[Secret, ...] = (STRIPE_WEBHOOK_SECRET, ANTHROPIC_API_KEY_SECRET)

HEALTH_FUNCTION = Function(
    component="health",
    handler="careervp.handlers.health.handler",
    routes=(Route("GET", "/health"),),
    tables=tuple(TableGrant(table, Access.READ) for table in TABLES),
    buckets=tuple(BucketGrant(bucket, Access.READ) for bucket in BUCKETS),
    public=True,
)
KB_FUNCTION = Function(
    component="kb",
    handler="careervp.handlers.kb.handler",
    routes=(
        Route("POST", "/kb/documents"),
        Route("GET", "/kb/documents"),
        Route("GET", "/kb/documents/{document_id}"),
        Route("DELETE", "/kb/documents/{document_id}"),
    ),
    tables=(TableGrant(KB_TABLE, Access.READ_WRITE),),
    buckets=(BucketGrant(KB_BUCKET, Access.READ_WRITE),),
)
GAP_FUNCTION = Function(
    component="gap",
    handler="careervp.handlers.gap.handler",
    routes=(
        Route("POST", "/gap-analysis/questions"),
        Route("POST", "/gap-analysis/responses"),
        Route("GET", "/gap-analysis/responses/{response_id}"),
    ),
    tables=(TableGrant(GAP_TABLE, Access.READ_WRITE),),
)
BILLING_FUNCTION = Function(
    component="billing",
    handler="careervp.handlers.billing.handler",
    routes=(Route("POST", "/webhooks/stripe"),),
    tables=(TableGrant(BILLING_TABLE, Access.READ_WRITE),),
    secrets=(STRIPE_WEBHOOK_SECRET,),
    public=True,  # Stripe signs each request; the function checks the signature
)

INTERVIEW_FUNCTION = Function(
    component="interview",
    handler="careervp.handlers.interview.handler",
    routes=(
        Route("POST", "/interview-prep/questions"),
        Route("POST", "/interview-prep/responses"),
        Route("POST", "/interview-prep/report"),
    ),
    tables=(TableGrant(INTERVIEW_TABLE, Access.READ_WRITE),),
    buckets=(BucketGrant(INTERVIEW_BUCKET, Access.WRITE),),
)

RESEARCH_FUNCTION = Function(
    component="research",
    handler="careervp.handlers.research.handler",
    routes=(Route("POST", "/company-research"), Route("GET", "/company-research/{research_id}")),
    tables=(TableGrant(RESEARCH_TABLE, Access.READ_WRITE),),
    buckets=(BucketGrant(RESEARCH_BUCKET, Access.WRITE),),
)

MODEL_TIMEOUT_SECONDS = 28
"""Functions that call the model: the model's time budget (`careervp.generation.client`) plus the rest of
the request, under API Gateway's 29 s."""
MODEL_P99_LATENCY_MS = 25_000
"""A model call takes seconds, not the milliseconds the environments' p99 thresholds are set for."""

TAILORING_FUNCTION = Function(
    component="tailoring",
    handler="careervp.handlers.tailoring.handler",
    routes=(Route("POST", "/cv-tailoring"),),
    buckets=(BucketGrant(TAILORING_BUCKET, Access.WRITE),),
    secrets=(ANTHROPIC_API_KEY_SECRET,),
    timeout_seconds=MODEL_TIMEOUT_SECONDS,
    p99_latency_ms=MODEL_P99_LATENCY_MS,
)

LETTERS_FUNCTION = Function(
    component="letters",
    handler="careervp.handlers.letters.handler",
    routes=(Route("POST", "/cover-letters"),),
    buckets=(BucketGrant(LETTERS_BUCKET, Access.WRITE),),
    secrets=(ANTHROPIC_API_KEY_SECRET,),
    timeout_seconds=MODEL_TIMEOUT_SECONDS,
    p99_latency_ms=MODEL_P99_LATENCY_MS,
)

FUNCTIONS: tuple[Function, ...] = (
    HEALTH_FUNCTION,
    KB_FUNCTION,
    GAP_FUNCTION,
    BILLING_FUNCTION,
    INTERVIEW_FUNCTION,
    RESEARCH_FUNCTION,
    TAILORING_FUNCTION,
    LETTERS_FUNCTION,
)

CANARY_FUNCTION = Function(
    component="monitoring",
    handler="careervp.handlers.canary.handler",
    routes=(),
    resource="canary",
)
"""The synthetic health check: started by a schedule, never behind the API (`careervp_infra.synthetics`)."""

NOTIFIER_FUNCTION = Function(
    component="notifications",
    handler="careervp.handlers.notifier.handler",
    routes=(),
    resource="sender",
)
"""Sends each event of the notifications topic as an email through SES (`careervp_infra.notifications`)."""

PRE_TRAFFIC_FUNCTION = Function(
    component="delivery",
    handler="careervp.handlers.pre_traffic.handler",
    routes=(),
    resource="pre-traffic",
    timeout_seconds=60,
)
"""CodeDeploy's pre-traffic hook: checks a function's new version before any traffic shifts to it
(`careervp_infra.traffic`)."""
