"""`account check`: the account template against every rule: cdk-nag (run when it is synthesized), the IAM,
bucket and provider rules of this package, and cfn-lint. Zero findings, or each one named."""

from __future__ import annotations

from pathlib import Path

from careervp_infra.account.naming import Repository
from careervp_infra.environments import Environments, load_environments

from careervp_ci.account.bucket_rules import check_buckets
from careervp_ci.account.iam_rules import Finding, check_roles
from careervp_ci.account.lint import lint_findings
from careervp_ci.account.provider_rules import check_provider
from careervp_ci.account.template import AccountTemplate, find_templates


def check_template(
    folder: Path, repository: Repository, registry: Environments | None = None
) -> list[Finding]:
    """Every finding on the account template in `folder` (a synthesized assembly or the template itself)."""
    template = AccountTemplate.load(folder)
    return [
        *check_provider(template),
        *check_roles(template, registry or load_environments(), repository),
        *check_buckets(template),
        *lint_findings(find_templates(folder)),
    ]
