"""The pipeline as data, for either executor: the steps, what selects them, and the Plan both executors run.

`steps/` holds one module per step (the catalogue lists them); `profiles` and `phases` are the runs a person
can name, `resolve` turns what they asked for into a `plan` (a graph of steps and what each waits for) that
the host (`careervp_ci.host`) and the Dagger module (`careervp_ci.dagger_module`) schedule alike, and
`changes/` decides what a change since a ref calls for; `lockfiles`, `tool_cache` and `mypy_narrowing` are
helpers the steps use wherever they run.
"""
