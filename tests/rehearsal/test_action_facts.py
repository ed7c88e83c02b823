"""The facts table covers every action the workflows pin, at the SHA they pin, and every `with:` in every
workflow (rehearsed or not: codeql and scorecard too) is an input the pinned action has, with its required
inputs given. The npm libraries the stand-ins match with are the versions the actions lock."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs
from careervp_ci.rehearsal import composite
from careervp_ci.rehearsal.facts import SHA, InputError, table
from careervp_ci.rehearsal.scenarios import LAPTOP
from careervp_ci.rehearsal.standins import STAND_INS

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
USES = re.compile(r"uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40})\s*(?:#\s*(\S+))?")


def steps() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in WORKFLOWS:
        for job in (yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"] or {}).values():
            for step in job.get("steps") or []:
                if "uses" in step and not composite.is_local(step["uses"]):  # ours: read, not pinned
                    yield path.name, step


def test_every_action_the_workflows_pin_has_facts_at_that_sha_and_tag() -> None:
    facts = table()
    text = "\n".join(path.read_text(encoding="utf-8") for path in WORKFLOWS) + LAPTOP
    pins = USES.findall(text)
    assert len({name for name, _, _ in pins}) >= 13
    for name, sha, tag in pins:
        assert name in facts, f"{name} is pinned by a workflow but has no entry in actions.json"
        assert facts[name].sha == sha, f"{name}: workflows pin {sha}, actions.json holds {facts[name].sha}"
        if tag:
            assert facts[name].tag == tag, (
                f"{name}@{sha}: the comment says {tag}, actions.json {facts[name].tag}"
            )


def test_every_entry_names_its_sha_tag_inputs_and_behaviours() -> None:
    for name, action in table().items():
        assert SHA.fullmatch(action.sha), name
        assert re.fullmatch(r"v\d+\.\d+\.\d+", action.tag), name
        assert action.inputs and action.behaviours, name


@pytest.mark.parametrize(("workflow", "step"), list(steps()), ids=lambda value: str(value)[:60])
def test_every_with_in_every_workflow_is_an_input_of_the_pinned_action(
    workflow: str, step: dict[str, Any]
) -> None:
    action = table()[step["uses"].split("@", 1)[0]]
    github = {"repository": "o/r", "run_id": "1", "token": "t", "workspace": "/w"}
    given = {key: str(value) for key, value in (step.get("with") or {}).items()}
    action.resolve(given, github)


def test_a_with_key_the_action_lacks_fails_naming_the_action_the_key_and_the_known_inputs() -> None:
    action = table()["dorny/paths-filter"]
    with pytest.raises(
        InputError, match=r"dorny/paths-filter@v3\.0\.3 has no input 'quantifier'.*predicate-quantifier"
    ):
        action.resolve({"filters": "a: b", "quantifier": "every"}, {"token": "t"})


def test_defaults_come_from_the_table_and_an_empty_value_stays_empty() -> None:
    checkout = table()["actions/checkout"]
    inputs = checkout.resolve({"ref": ""}, {"repository": "o/r", "token": "t"})
    assert (inputs["fetch-depth"], inputs["persist-credentials"], inputs["fetch-tags"]) == (
        "1",
        "true",
        "false",
    )
    assert (inputs["ref"], inputs["token"], inputs["repository"]) == ("", "t", "o/r")
    upload = table()["actions/upload-artifact"].resolve({"path": "x"}, {})
    assert (upload["include-hidden-files"], upload["if-no-files-found"], upload["name"]) == (
        "false",
        "warn",
        "artifact",
    )


def test_every_action_the_rehearsal_stands_in_for_has_facts() -> None:
    assert set(STAND_INS) <= set(table())


def test_the_matching_libraries_are_the_versions_the_actions_lock() -> None:
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    wanted = {
        library: version for action in table().values() for library, version in action.libraries.items()
    }
    assert wanted == {
        "@actions/glob": "0.5.0",
        "@actions/glob > minimatch": "3.1.2",
        "picomatch": "2.3.1",
        "minimatch": "10.2.5",
    }
    for library, version in wanted.items():
        parent, _, child = library.partition(" > ")
        if child:
            assert manifest["overrides"][parent][child] == version
            assert lock[f"node_modules/{parent}/node_modules/{child}"]["version"] == version
        else:
            assert manifest["devDependencies"][library] == version
            assert lock[f"node_modules/{library}"]["version"] == version
