"""The delivery pipeline in rooms: pipeline, host, dagger_module, release, github.

Where to change what: a step in `pipeline/steps/`, which steps a run takes in `pipeline/` (profiles,
phases, selection, the Plan); how the host runs them, and the `careervp-ci` command line, in `host/`; how
Dagger runs them in `dagger_module/`; a release rule in `release/`; the repository's settings in `github/`.
`errors` is the error model every command line shares, `architecture` draws docs/architecture.md's layout,
and `rehearsal/` executes the Dagger path in podman, for the tests.
"""
