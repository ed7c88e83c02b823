"""The pipeline as data, for either executor: the steps, what selects them, and the Plan both executors run.

`steps/` holds one module per step (the catalogue lists them); `profiles` and `phases` choose steps for a
run, `select` narrows them to a change, `plan` orders them into the Plan that the host (`careervp_ci.host`)
and the Dagger module (`careervp_ci.dagger_module`) execute alike; `impact`, `lockfiles`, `tool_cache` and
`mypy_narrowing` are helpers the steps use wherever they run.
"""
