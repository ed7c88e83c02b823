"""The account stack: what every environment's deploys assume exists in the AWS account, as code.

GitHub's OIDC provider, one role per GitHub environment of the registry (deploy or read-only) trusted only by
this repository in that environment, a CloudFormation execution role per deployable environment, the
artifact store bucket, and the two CDK bootstrap resources the release uses. Deployed once per account, before
any environment (`careervp-ci account apply`); see docs/aws-setup.md.
"""
