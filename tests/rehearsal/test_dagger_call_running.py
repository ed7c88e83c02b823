"""A parsed `dagger call` line run through the rehearsal engine: each CLI name reaches the Python function or
generated-client method behind it, chained calls act on the previous result, the chain's end is printed as
the CLI prints it (an object by its type), and a Secret flag is an address as flags.go passes it. Host
folders only: no container starts."""

from __future__ import annotations

from pathlib import Path

import anyio
import dagger
import pytest
from careervp_ci.rehearsal.call import arguments, parse, run
from careervp_ci.rehearsal.resolver import Engine, rehearsing
from careervp_ci.rehearsal.values import SecretValue
from dagger.mod._module import Module

DEPRECATION = (
    'WARN deprecation: missig URI scheme in secret argument "{}". '
    "Add env:// prefix to prevent errors in future versions\n"
)
"""flags.go `secretValue.Get`'s warning, its typo included."""

plants = Module()


@plants.object_type
class Tree:
    """A module whose function hands a host folder back, for core calls to chain on."""

    @plants.function
    def tree(self, src: dagger.Directory) -> dagger.Directory:
        return src

    @plants.function
    def keep(self, token: dagger.Secret) -> dagger.Secret:
        return token


def called(words: list[str], cwd: Path) -> str:
    with rehearsing(Engine(cwd / ".cache", log=lambda _: None)):
        return anyio.run(run, parse(words, Tree), cwd)


def test_chained_core_calls_act_on_what_the_function_returned(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "notes.txt").write_text("hello\n", encoding="utf-8")
    assert called(["tree", "--src", "src", "file", "--path", "notes.txt", "contents"], tmp_path) == "hello\n"
    exported = called(["tree", "--src", "src", "export", "--path", "out"], tmp_path)
    assert exported == str(tmp_path / "out")
    assert (tmp_path / "out" / "notes.txt").read_text(encoding="utf-8") == "hello\n"


def test_a_chain_ending_in_an_object_is_evaluated_and_named(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    assert called(["tree", "--src", "src"], tmp_path) == "Directory"
    assert called(["tree", "--src", "src", "directory", "--path", "."], tmp_path) == "Directory"


def flag_secret(value: str, cwd: Path) -> SecretValue:
    """The secret `--token value` hands the function, as the rehearsal engine holds it."""
    engine = Engine(cwd / ".cache", log=lambda _: None)
    function = parse(["keep", "--token", value], Tree).functions[0].function

    async def resolved() -> SecretValue:
        token = arguments(function, {"token": value}, cwd)["token"]
        return await engine.resolve(token._ctx.selections)  # type: ignore[no-any-return]

    with rehearsing(engine):
        return anyio.run(resolved)


def test_a_secret_flag_is_an_address_and_one_without_a_scheme_is_env_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CAREERVP_TOKEN", "s3cr3t")
    assert flag_secret("CAREERVP_TOKEN", tmp_path) == SecretValue("s3cr3t")
    assert capsys.readouterr().err == DEPRECATION.format("CAREERVP_TOKEN")
    assert flag_secret("env:CAREERVP_TOKEN", tmp_path) == flag_secret("env://CAREERVP_TOKEN", tmp_path)
    assert capsys.readouterr().err == ""


def test_a_file_secret_flag_keeps_the_files_bytes_and_its_trailing_newline(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("s3cr3t\n")
    assert flag_secret(f"file:{tmp_path / 'token'}", tmp_path).plaintext == "s3cr3t\n"


def test_a_secret_flag_naming_a_missing_variable_is_handed_on_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI does not read the variable; the engine keys the secret at random and reading it fails at use,
    so a function that only hands the secret on runs."""
    monkeypatch.delenv("CAREERVP_UNSET", raising=False)
    assert called(["keep", "--token", "env:CAREERVP_UNSET"], tmp_path) == "Secret"
    unread = flag_secret("env://CAREERVP_UNSET", tmp_path)
    assert unread.unreadable == 'secret env var not found: "CAR..."'
