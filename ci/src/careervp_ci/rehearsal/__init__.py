"""A rehearsal of the Dagger path on a machine with podman but no Dagger engine (tests only).

It executes what the module's functions ask the engine for (their lazy queries) in real OCI containers, and
runs the workflows' `dagger call` lines through that. It is not a product executor and not Dagger: it exists
so the Dagger path has run before it meets a real engine. See docs/dagger.md for what it substitutes.
"""
