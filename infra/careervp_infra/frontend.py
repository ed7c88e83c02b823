"""The SPA's hosting: a private bucket behind a CloudFront distribution that reads it through origin access
control (OAC).

The bucket is private, encrypted, TLS-only, versioned and logged like the service's buckets; only this
distribution may read it (the bucket policy names its ARN), and nothing may list it. The deploy uploads the
artifact's SPA files and the environment's `config.json` (the API's URL) and invalidates the distribution
(`careervp_ci.release.spa`), so the same built files serve every environment. The distribution's domain is
the SPA's origin, which the API allows in CORS unless the registry declares another
(`careervp_infra.service_stack`); the emulator deploys the very template AWS gets, so its CloudFormation is
taught to register the distribution (`careervp_ci.release.moto_cloudfront_distributions`).
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnOutput, Validations
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from careervp_infra.data_stores import removal_policy
from careervp_infra.environments import Environment
from careervp_infra.frontend_names import BUCKET_OUTPUT, DISTRIBUTION_OUTPUT, INDEX, distribution_comment
from careervp_infra.naming import Service, physical_name
from careervp_infra.scanner_reasons import explain

DISTRIBUTION_ACKNOWLEDGMENTS = (
    Acknowledgment(
        id="AwsSolutions-CFR1",
        reason="CareerVP serves job seekers in every country; there is no region to restrict.",
    ),
    Acknowledgment(
        id="AwsSolutions-CFR2",
        reason="The distribution serves only the SPA's static files (no personal data, no write path); the "
        "API it calls has its own web ACL (careervp_infra.waf). A CLOUDFRONT-scope ACL must live in "
        "us-east-1, outside this regional stack.",
    ),
    Acknowledgment(
        id="AwsSolutions-CFR3",
        reason="Standard logging needs an ACL-enabled log bucket, which every bucket here refuses "
        "(BucketOwnerEnforced); the files are static and public by design, and the bucket's own server "
        "access logs record every read CloudFront makes.",
    ),
    Acknowledgment(
        id="AwsSolutions-CFR4",
        reason="No custom domain yet: the default *.cloudfront.net certificate cannot set a minimum TLS "
        "version. Viewers are redirected to HTTPS.",
    ),
)

SCANNER_CHECKS = {
    "CKV_AWS_68": "AwsSolutions-CFR2",
    "CKV_AWS_86": "AwsSolutions-CFR3",
    "CKV_AWS_174": "AwsSolutions-CFR4",
}
"""The IaC scanner's findings that are cdk-nag's above under another id: one reason answers both."""


def site_bucket_name(env: str) -> str:
    return physical_name(env, "frontend", "site", service=Service.S3_BUCKET)


def access_control_name(env: str) -> str:
    return physical_name(env, "frontend", "site-oac", service=Service.CLOUDFRONT_ORIGIN_ACCESS_CONTROL)


def create_spa_hosting(scope: Construct, env: Environment, access_logs: s3.Bucket) -> cloudfront.Distribution:
    """The bucket, the distribution reading it through OAC, and the outputs the deploy reads."""
    bucket = s3.Bucket(
        scope,
        "FrontendSiteBucket",
        bucket_name=site_bucket_name(env.name),
        versioned=True,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix="frontend-site/",
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removal_policy=removal_policy(env),
    )
    access_control = cloudfront.S3OriginAccessControl(
        scope,
        "FrontendSiteAccessControl",
        origin_access_control_name=access_control_name(env.name),
        description=f"CareerVP {env.name}: CloudFront reads the SPA's bucket, signed",
        signing=cloudfront.Signing.SIGV4_ALWAYS,
    )
    distribution = cloudfront.Distribution(
        scope,
        "FrontendDistribution",
        comment=distribution_comment(env.name),
        default_root_object=INDEX,
        price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.S3BucketOrigin.with_origin_access_control(
                bucket,
                origin_access_control=access_control,
                origin_access_levels=[cloudfront.AccessLevel.READ],
            ),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        ),
    )
    Validations.of(distribution).acknowledge(*DISTRIBUTION_ACKNOWLEDGMENTS)
    reasons = {acknowledgment.id: acknowledgment.reason for acknowledgment in DISTRIBUTION_ACKNOWLEDGMENTS}
    for check, nag_rule in SCANNER_CHECKS.items():
        explain(distribution, check, reasons[nag_rule])
    CfnOutput(scope, BUCKET_OUTPUT, value=bucket.bucket_name, description="Bucket the SPA's files go to")
    CfnOutput(
        scope, DISTRIBUTION_OUTPUT, value=distribution.distribution_id, description="Invalidated on deploy"
    )
    return distribution
