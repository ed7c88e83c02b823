"""Development-only: the local HTTP server, emulator provisioning and the API contract generator, never in
the function zip."""
