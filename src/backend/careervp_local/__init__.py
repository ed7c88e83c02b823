"""Development-only: the local HTTP server and emulator provisioning, never in the function zip."""
