"""The GitHub repository's own configuration as code: the branch ruleset and environments.

`settings` reads `.github/settings/` and checks it against the workflows (the `workflows` step and
`careervp-ci github-settings --check`); `apply` pushes it to a repository over GitHub's REST API
(`careervp-ci github-settings --apply`).
"""
