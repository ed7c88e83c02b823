"""What the release reads of the SPA's hosting: the stack's output names, the index page and the
distribution's comment. Kept apart from the constructs (`careervp_infra.frontend`), whose aws_cdk import
costs every release command about a second of CPU at start-up."""

from __future__ import annotations

from careervp_infra.naming import Service, physical_name

BUCKET_OUTPUT = "SpaBucketName"
DISTRIBUTION_OUTPUT = "SpaDistributionId"
INDEX = "index.html"


def distribution_comment(env: str) -> str:
    """The distribution's comment carries its physical name (a distribution has no name property)."""
    return physical_name(env, "frontend", "cdn", service=Service.CLOUDFRONT_DISTRIBUTION)
