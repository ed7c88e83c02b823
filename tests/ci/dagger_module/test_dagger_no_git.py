"""Nothing live can break a build: every recipe of the module, read without an engine, runs no git and pins
no package version against live Debian, and a build's inputs are the tree's content and the commit alone.

Each function of the main object and of `Release` is called with every argument it takes, and every
container it syncs is recorded (`support.dagger_recipes`); `ci` and `reports` plan the real `main` profile's
jobs with a base ref, so the job that reads the history is among them.
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
from dataclasses import asdict
from pathlib import Path
from typing import Any

import dagger
import pytest
from careervp_ci.dagger_module import setup as dagger_setup
from careervp_ci.dagger_module.arguments import SOURCE_ALLOW_LIST
from careervp_ci.dagger_module.containers import ARTIFACTS, build_argv
from careervp_ci.dagger_module.main import Careervp
from careervp_ci.dagger_module.plan import request_jobs
from careervp_ci.pipeline.resolve import Request
from careervp_ci.rehearsal.tree import stage, tree_digest
from dagger import dag
from support.dagger_recipes import COMMIT, FAKE_DIGEST, calls, execs, recorded_run, tree

ROOT = Path(__file__).resolve().parents[3]
SAMPLES: dict[str, Any] = {
    "env": "dev",
    "artifact": FAKE_DIGEST,
    "commit": COMMIT,
    "ref": "v1.0.0",
    "profile": "main",
    "step": "openapi",
    "suite": "unit",
    "base_ref": "origin/main",
    "from_": "dev",
    "to": "staging",
    "confirm": "dev",
    "approver": "someone",
    "store": "s3://bucket/prefix",
}
"""A value for each string parameter a function requires, by its Python name."""
PIN = re.compile(r"^[a-z0-9][a-z0-9+.-]*=\S+$")
"""`name=version`, as `apt-get install` takes a pinned package."""


def module_functions(obj: str) -> dict[str, Any]:
    objects = Careervp.__dagger_module__._objects  # type: ignore[attr-defined]
    return {name: function for name, function in objects[obj].functions.items() if name}


def sample(name: str, kind: Any) -> Any:
    """Every argument given, optional ones too, so no branch of a recipe goes unseen."""
    members = [member for member in getattr(kind, "__args__", (kind,)) if member is not type(None)]
    base = members[0]
    if base is dagger.Directory:
        return tree()
    if base is dagger.File:
        return dag.host().file("/nonexistent-file")
    if base is dagger.Secret:
        return dag.set_secret(name, "not-a-secret")
    if base is bool:
        return False
    return SAMPLES.get(name, "x")


def call_everything(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[dagger.Container]]:
    """Every function's synced containers, by `Object.function`."""
    seen = recorded_run(monkeypatch, output=FAKE_DIGEST + "\n")
    listed = json.dumps(asdict(request_jobs(Request("main"))))

    async def stdout(self: dagger.Container) -> str:
        last = execs(self)[-1]
        return (
            listed if last[:3] == ["python", "-m", "careervp_ci.dagger_module.plan"] else FAKE_DIGEST + "\n"
        )

    async def glob(self: dagger.Directory, pattern: str) -> list[str]:
        return ["careervp-release.tar"]

    monkeypatch.setattr(dagger.Container, "stdout", stdout)
    monkeypatch.setattr(dagger.Directory, "glob", glob)
    recipes: dict[str, list[dagger.Container]] = {}
    instance = Careervp()
    release = instance.release(src=tree(), store=SAMPLES["store"])
    for obj, target in (("Careervp", instance), ("Release", release)):
        for function in module_functions(obj).values():
            if function.original_name == "release":
                continue
            kwargs = {name: sample(name, p.resolved_type) for name, p in function.parameters.items()}
            before = len(seen)
            result = getattr(target, function.original_name)(**kwargs)
            if asyncio.iscoroutine(result):
                asyncio.run(result)
            recipes[f"{obj}.{function.original_name}"] = seen[before:]
    return recipes


def _commands(script: str) -> list[list[str]]:
    """A shell script's simple commands (split at `;`, `&&`, `||`, `|`)."""
    words = shlex.split(re.sub(r"(;|&&|\|\||\|)", r" ; ", script))
    commands: list[list[str]] = [[]]
    for word in words:
        if word == ";":
            commands.append([])
        else:
            commands[-1].append(word)
    return [command for command in commands if command]


def runs_git(argv: list[str]) -> bool:
    """The command is git, or a shell script that calls it (installing the package is not running it)."""
    if Path(argv[0]).name == "git":
        return True
    if argv[:2] == ["sh", "-c"]:
        return any(
            Path(word).name == "git" and Path(command[0]).name != "apt-get"
            for command in _commands(argv[2])
            for word in command
        )
    return False


def installs_git(argv: list[str]) -> bool:
    return argv[:2] == ["sh", "-c"] and any(
        Path(command[0]).name == "apt-get" and "install" in command and "git" in command
        for command in _commands(argv[2])
    )


def live_pins(argv: list[str]) -> list[str]:
    """`name=version` words of an `apt-get install` in a shell script."""
    if argv[:2] != ["sh", "-c"] or "apt-get" not in argv[2]:
        return []
    return [word for word in shlex.split(argv[2]) if PIN.match(word)]


def test_every_function_was_called_and_synced_a_recipe(monkeypatch: pytest.MonkeyPatch) -> None:
    recipes = call_everything(monkeypatch)
    assert "Careervp.build" in recipes and "Release.hotfix" in recipes and "Careervp.ci" in recipes
    assert [name for name, containers in recipes.items() if not containers] == []


def test_no_recipe_runs_git_and_none_pins_a_package_against_live_debian(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recipes = call_everything(monkeypatch)
    commands = [(name, argv) for name, cs in recipes.items() for c in cs for argv in execs(c)]
    assert [(name, argv) for name, argv in commands if runs_git(argv)] == []
    assert [(name, live_pins(argv)) for name, argv in commands if live_pins(argv)] == []


def test_the_checks_see_git_and_a_pin_where_they_are() -> None:
    """The checks above can fail: a git exec, a script calling git, and a pinned install are all found."""
    assert runs_git(["git", "config", "--global", "--add", "safe.directory", "/src"])
    assert runs_git(["sh", "-c", "cd /src && git rev-parse HEAD"])
    install = dagger_setup.install_system((*dagger_setup.BROWSER_PACKAGES, *dagger_setup.GIT_PACKAGES))
    assert not runs_git(["sh", "-c", install]) and installs_git(["sh", "-c", install])
    assert runs_git(["sh", "-c", install + " && git --version"])
    pinned = "apt-get update -qq && apt-get install -qqy git=1:2.47.3-0+deb13u1 >/dev/null"
    assert live_pins(["sh", "-c", pinned]) == ["git=1:2.47.3-0+deb13u1"]
    assert live_pins(["sh", "-c", install]) == []


def test_only_the_job_of_the_pipelines_own_tests_has_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its tests build repositories to test the host path, which reads git by design; no build, release
    or other gate gets git in its container."""
    recipes = call_everything(monkeypatch)
    with_git = {name for name, cs in recipes.items() for c in cs for argv in execs(c) if installs_git(argv)}
    assert "Careervp.pipeline_tests" in with_git
    assert with_git <= {"Careervp.pipeline_tests", "Careervp.ci", "Careervp.job", "Careervp.reports"}


def test_no_module_source_installs_a_debian_package_at_a_version() -> None:
    """Beyond the recipes: no `apt-get install ... name=version` anywhere in the module's code."""
    module = ROOT / "ci" / "src" / "careervp_ci" / "dagger_module"
    found = [
        f"{path.name}: {line.strip()}"
        for path in module.glob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if "install" in line and re.search(r"\b[a-z0-9][a-z0-9+.-]*=[0-9]+:?[0-9][\w.~+:-]*", line)
    ]
    assert found == []


def test_a_build_takes_only_the_tree_and_the_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """What keys the engine's cache of a build: the tree's content and the commit; no history, no ref."""
    build = module_functions("Careervp")["build"]
    publish = module_functions("Release")["publish"]
    assert set(build.parameters) == {"src", "commit"}
    assert set(publish.parameters) == {"artifact", "commit"}
    recipes = call_everything(monkeypatch)
    built = recipes["Careervp.build"][-1]
    mounted = [args["path"] for name, args in calls(built) if name in {"withDirectory", "withFile"}]
    assert mounted == [dagger_setup.WORKDIR] * 4, "only the tree (manifests, Node and scanner manifests, all)"
    assert execs(built)[-1] == build_argv(COMMIT)
    assert build_argv(COMMIT) == [
        "careervp-ci", "build", "--src", dagger_setup.WORKDIR, "--commit", COMMIT, "--out", ARTIFACTS,
    ]  # fmt: skip


def test_hotfix_builds_the_given_checkout_as_the_given_commit_and_reads_history_only_to_admit_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recipes = call_everything(monkeypatch)
    hotfix = recipes["Release.hotfix"][-1]
    argv = execs(hotfix)[-1]
    assert argv[:8] == ["careervp-ci", "hotfix", "--ref", "v1.0.0", "--commit", COMMIT, "--env", "dev"]
    history = [args["path"] for name, args in calls(hotfix) if name == "withDirectory"][-1]
    assert history == f"{dagger_setup.WORKDIR}/.git"


def checkouts(tmp_path: Path) -> dict[str, Path]:
    """One commit of a small repository as a clone, a worktree and a plain copy of the tree."""
    import subprocess

    def git(repo: Path, *args: str) -> None:
        identity = ("-c", "user.name=t", "-c", "user.email=t@example.invalid")
        subprocess.run(["git", "-C", str(repo), *identity, *args], check=True, capture_output=True)

    origin = tmp_path / "origin"
    (origin / "src" / "backend").mkdir(parents=True)
    (origin / "src" / "backend" / "app.py").write_text("x = 1\n")
    (origin / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (origin / "README.md").write_text("readme\n")
    git(origin.parent, "init", "-q", "-b", "main", str(origin))
    git(origin, "add", ".")
    git(origin, "commit", "-qm", "one")
    clone, worktree, copy = tmp_path / "clone", tmp_path / "worktree", tmp_path / "copy"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    git(origin, "worktree", "add", "-q", "--detach", str(worktree), "HEAD")
    subprocess.run(
        ["git", "-C", str(origin), "archive", "-o", str(tmp_path / "tree.tar"), "HEAD"], check=True
    )
    copy.mkdir()
    subprocess.run(["tar", "-xf", str(tmp_path / "tree.tar"), "-C", str(copy)], check=True)
    return {"clone": clone, "worktree": worktree, "copy": copy}


def test_the_uploaded_tree_of_one_commit_is_the_same_from_a_clone_a_worktree_and_a_plain_copy(
    tmp_path: Path,
) -> None:
    """The build's `src` as the CLI uploads it (the allow-list, `.git` left out): a content digest that
    does not see how the tree was checked out, so with the same commit the build's inputs are equal."""
    digests = {}
    for kind, checkout in checkouts(tmp_path).items():
        staged = tmp_path / "staged" / kind
        stage(checkout, staged, exclude=SOURCE_ALLOW_LIST)
        assert not (staged / ".git").exists(), kind
        digests[kind] = tree_digest(staged)
    assert len(set(digests.values())) == 1, digests
