"""The host executor: the pipeline run as local processes, behind the `careervp-ci` command line.

`cli` is the command (`careervp-ci`, the host twin of `dagger call`; release commands are handed to
`careervp_ci.release.cli`), `executor` runs a Plan's steps, `cache` and `shared_cache` keep their results,
`progress` and `report` show a run while it goes and afterwards, `serve` is `careervp-ci serve`, and
`bytecode` keeps the venv's compiled modules for `make setup`.
"""
