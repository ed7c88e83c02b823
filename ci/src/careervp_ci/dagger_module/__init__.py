"""The Dagger module: the same pipeline, each step in a pinned container (`dagger call`, `dagger check`).

`main` is the module's main object (`Careervp`, the `dagger.mod` entry point in ci/pyproject.toml) and
`release` its release object; `setup` builds the toolchain container, `containers` runs `careervp-ci` in
it, `arguments` declares the functions' shared arguments, `plan` lists the jobs of `ci` from the host's
Plan, `failures` words a failed step for `dagger call`, and `cli_names` spells a function or argument the
way the Dagger CLI does. It imports only what ci/uv.lock installs.
"""
