"""The release half of the pipeline: build once, deploy that digest, prove it, promote it.

Modules, one job each: `cli` (the release commands of `careervp-ci`), `artifact` (the artifact's format
and digest), `store` (artifacts and shared release state, in a folder or S3), `state` (where release state
lives), `targets` (environment -> deploy target), `ledger` (what was deployed where), `locking` (one deploy
per environment at a time), `build` (the bundle), `emulator` (everything specific to the local AWS
emulator), `cloudformation` (deploying a stack from the assembly), `verify` and `smoke` (proof after a
deploy; `smoke_plan`: which checks a target runs), `credentials` (partial AWS credentials refused),
`approvals` (the prod gate), `service` (the commands that tie these together), `hotfix` (build and ship a
ref) and `gitref` (worktrees of a ref).
"""
