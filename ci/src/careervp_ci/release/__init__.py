"""The release half of the pipeline: build once, deploy that digest, prove it, promote it.

Shaped like twine: `cli` lists the commands and catches a release error once; `commands/` holds one module
per command (its arguments, then the work). Under them, one job each: `context` (state, store, ledger and
the checks of a command's inputs), `session` (boto3 bound to a target; what its stack runs), `building`
(an artifact into the stores), `deploy` (one digest to one environment, with `attempts` in the ledger and
`target_secrets`), `checks` and `served_api` (the smoke after a deploy and the API it reaches), `gate`
(change set, approval, promotion), `service` (build and deploy as one object, for `hotfix`), `errors`.
Beneath: `artifact`, `store`, `state`, `targets`, `ledger`, `locking`, `build`, `emulator` (`moto_server`),
`cloudformation`, `verify`, `smoke` (`smoke_plan`, `smoke_user`), `credentials`, `approvals`, `gitref`.
"""
