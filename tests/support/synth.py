"""One CDK synth per test session, shared by the infra unit tests and the regression snapshots.

A synth costs ~10 s, so each variant (the AWS assembly, the emulator assembly) is built at most once per
process and handed to every fixture that asks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from careervp_infra.assembly import synthesize
from careervp_infra.cloud_assembly import find_stack

_ASSEMBLIES: dict[bool, Path] = {}


def session_assembly(tmp_path_factory: pytest.TempPathFactory, *, emulator: bool = False) -> Path:
    """The tree's cloud assembly (emulator=True: without the bootstrap-version rule), synthesized once."""
    if emulator not in _ASSEMBLIES:
        outdir = tmp_path_factory.mktemp("cdk-emulator" if emulator else "cdk-aws")
        _ASSEMBLIES[emulator] = synthesize(outdir, emulator=emulator)
    return _ASSEMBLIES[emulator]


def service_resources(assembly: Path, env: str, resource_type: str) -> dict[str, dict[str, Any]]:
    """The properties of every resource of one type in an environment's service stack, by logical id."""
    template = find_stack(assembly, f"careervp-{env}-service-stack").load()
    return {
        key: value["Properties"]
        for key, value in template["Resources"].items()
        if value["Type"] == resource_type
    }


def acknowledged_rules(assembly: Path) -> set[str]:
    """Every cdk-nag rule the assembly's stacks acknowledge (the metadata the app writes for each)."""
    return {
        rule
        for metadata in assembly.rglob("*.metadata.json")
        for entries in json.loads(metadata.read_text()).values()
        for entry in entries
        if entry["type"] == "aws:cdk:acknowledged-rules"
        for rule in entry["data"]
    }
