"""What the AWS emulator (moto) cannot show, in one place.

moto's CloudFormation reports CREATE_COMPLETE for these while creating nothing, or stores a setting it
never reports back. The verifier consults this module only when the target is the emulator, and then
answers "not verifiable on this target" with the reason below, never "verified".
"""

from __future__ import annotations

UNOBSERVABLE_RESOURCE_TYPES: dict[str, str] = {
    "AWS::S3::BucketPolicy": "moto's CloudFormation skips bucket policies (no TLS-only deny exists)",
    "AWS::ApiGateway::Stage": "moto's CloudFormation skips API Gateway stages (no access logs to read)",
    "AWS::ApiGateway::Account": "moto's CloudFormation skips the API Gateway account settings",
    "AWS::ApiGateway::RequestValidator": "moto's CloudFormation skips request validators",
    "AWS::CloudWatch::Alarm": "moto's CloudFormation skips CloudWatch alarms",
    "AWS::SNS::TopicPolicy": "moto's CloudFormation skips SNS topic policies",
    "AWS::SQS::QueuePolicy": "moto's CloudFormation skips SQS queue policies (no TLS-only deny exists)",
    "AWS::Budgets::Budget": "moto's CloudFormation skips AWS Budgets budgets",
    "AWS::KMS::Key": "moto stores a CloudFormation key's policy as an object, so DescribeKey fails",
    "AWS::WAFv2::WebACL": "moto's CloudFormation skips WAF web ACLs",
    "AWS::WAFv2::WebACLAssociation": "moto's CloudFormation skips WAF web ACL associations",
    "AWS::WAFv2::LoggingConfiguration": "moto's CloudFormation skips WAF logging configurations",
    "AWS::SNS::Subscription": "moto's CloudFormation skips SNS subscriptions",
    "AWS::SES::EmailIdentity": "moto's CloudFormation skips SES identities",
    "AWS::Cognito::UserPool": "moto's CloudFormation skips Cognito user pools (an emulator's smoke makes the "
    "pool through moto's Cognito API instead: careervp_local.emulator)",
    "AWS::Cognito::UserPoolClient": "moto's CloudFormation skips Cognito app clients",
    "AWS::ApiGateway::Authorizer": "moto's CloudFormation skips API Gateway authorizers (on an emulator the "
    "local server plays it: careervp_local.authorizer)",
    "AWS::ApiGateway::GatewayResponse": "moto's CloudFormation skips API Gateway gateway responses",
    "AWS::CloudFront::Distribution": "moto's CloudFormation skips CloudFront distributions; the emulator "
    "registers one with only its comment, root object and origin (careervp_ci.release."
    "moto_cloudfront_distributions), and moto serves no CDN",
    "AWS::CloudFront::OriginAccessControl": "moto's CloudFormation skips CloudFront origin access controls; "
    "the emulator registers one that nothing signs with (careervp_ci.release.moto_cloudfront_distributions)",
    "AWS::CodeDeploy::Application": "moto's CloudFormation skips CodeDeploy applications",
    "AWS::CodeDeploy::DeploymentGroup": "moto's CloudFormation skips CodeDeploy deployment groups and "
    "runs no deployments: the traffic shift (canary or linear), its alarm gate, the automatic rollback and "
    "the pre-traffic hook never run there; an alias update moves all traffic at once",
}
"""Resource types moto's CloudFormation accepts but does not create, or creates but cannot describe."""

IGNORED_SETTINGS: dict[tuple[str, str], str] = {
    ("AWS::DynamoDB::Table", "point-in-time recovery"): "moto ignores the template's PITR setting",
    (
        "AWS::S3::Bucket",
        "public access block",
    ): "moto's CloudFormation ignores PublicAccessBlockConfiguration",
    ("AWS::S3::Bucket", "versioning"): "moto's CloudFormation ignores VersioningConfiguration",
    ("AWS::Lambda::Function", "log group"): "moto's CloudFormation ignores a function's LoggingConfig",
    ("AWS::KMS::Key", "key rotation"): "moto's CloudFormation ignores EnableKeyRotation",
    ("AWS::Lambda::Alias", "version"): "moto publishes a stack update's new version before it updates the "
    "function, and runs no CodeDeploy shift: which code the alias serves is not shown there",
}
"""(resource type, setting) pairs moto accepts from a template but does not apply."""


def unobservable_reason(resource_type: str) -> str | None:
    """Why the emulator cannot show a resource of this type, if it cannot."""
    return UNOBSERVABLE_RESOURCE_TYPES.get(resource_type)


def ignored_setting_reason(resource_type: str, setting: str) -> str | None:
    """Why the emulator cannot show this setting of a resource, if it cannot."""
    return IGNORED_SETTINGS.get((resource_type, setting))
