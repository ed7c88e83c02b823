"""The query resolver: keys as one recipe chain with content digests (every call before and its literal
arguments, the content of every input, a secret's hash or its cacheKey, never its value; so an identical
prefix is reused and any change below it runs again), secrets made as the engine makes them (an address,
`secret(uri, cacheKey)`, one unreadable failing where it is used), and a call or argument it does not know
is a gap naming it (never a secret's value)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import dagger
import pytest
from careervp_ci.dagger_module.main import Careervp
from careervp_ci.dagger_module.result_store import ENGINE, ENGINE_VOLUME, ResultStore
from careervp_ci.dagger_module.setup import uv_cache_key
from careervp_ci.rehearsal.resolver import RANDOM_KEY_WARNING, Engine
from careervp_ci.rehearsal.runtime import SDK_UV_CACHE, installed_in_container
from careervp_ci.rehearsal.tree import tree_digest
from careervp_ci.rehearsal.values import (
    CacheValue,
    ContainerState,
    DirValue,
    HostValue,
    RehearsalGap,
    SecretValue,
)
from dagger.client._core import Field
from support.dagger_recipes import FAKE_DIGEST, cache_keys, recorded_run, tree

ROOT = Path(__file__).resolve().parents[2]
IMAGE = ContainerState(key="root", image="img")
"""A container that has an image (never started here: each test stops before podman)."""


def engine(tmp_path: Path) -> Engine:
    return Engine(tmp_path / "cache")


def with_secret(tmp_path: Path, value: str) -> ContainerState:
    state = ContainerState(key="root", image="img")
    handler = engine(tmp_path)._Container_withSecretVariable
    return asyncio.run(handler(state, name="TOKEN", secret=SecretValue(value)))


def test_a_secret_changes_the_key_by_its_hash_and_never_appears_in_it(tmp_path: Path) -> None:
    one, other = with_secret(tmp_path, "s3cr3t-one"), with_secret(tmp_path, "s3cr3t-two")
    assert one.key != other.key
    assert "s3cr3t" not in one.key


def test_a_directory_changes_the_key_by_its_content_not_its_location(tmp_path: Path) -> None:
    def tree(name: str, text: str) -> DirValue:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "a.txt").write_text(text)
        return DirValue(folder, tree_digest(folder))

    state = ContainerState(key="root", image="img")
    add = engine(tmp_path)._Container_withDirectory
    same_a = asyncio.run(add(state, path="/src", source=tree("a", "x")))
    same_b = asyncio.run(add(state, path="/src", source=tree("b", "x")))
    changed = asyncio.run(add(state, path="/src", source=tree("c", "y")))
    assert same_a.key == same_b.key != changed.key


def test_expand_reads_the_containers_own_environment(tmp_path: Path) -> None:
    state = ContainerState(key="root", image="img", env=(("PATH", "/usr/bin"),))
    handler = engine(tmp_path)._Container_withEnvVariable
    after = asyncio.run(handler(state, name="PATH", value="/opt/venv/bin:$PATH", expand=True))
    assert dict(after.env)["PATH"] == "/opt/venv/bin:/usr/bin"


def test_a_call_the_rehearsal_does_not_know_is_a_gap_naming_it(tmp_path: Path) -> None:
    unknown = Field("Container", "withServiceBinding", {"alias": "db"})
    with pytest.raises(RehearsalGap, match=r"Container\.withServiceBinding\(alias='db'\)"):
        asyncio.run(engine(tmp_path).resolve([Field("Query", "container", {}), unknown]))


def test_an_argument_the_rehearsal_does_not_know_is_a_gap_naming_it(tmp_path: Path) -> None:
    call = Field("Container", "withExec", {"args": ["true"], "redirectStdout": "/out"})
    with pytest.raises(RehearsalGap, match=r"withExec\(\['true'\]\) with redirectStdout"):
        asyncio.run(engine(tmp_path).resolve([Field("Query", "container", {}), call]))


def test_a_host_folder_is_uploaded_once_per_call_however_often_its_query_is_resolved(tmp_path: Path) -> None:
    """The SDK re-sends `host.directory(...)` with every step that uses the folder; the engine uploads an
    argument once per call, so a second resolve must not stage (copy and hash) the tree again."""
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "a.txt").write_text("x")
    rehearsal = engine(tmp_path)
    first = asyncio.run(rehearsal._Host_directory(HostValue(), path=str(folder), exclude=["b.txt"]))
    (folder / "a.txt").write_text("changed after the upload")
    again = asyncio.run(rehearsal._Host_directory(HostValue(), path=str(folder), exclude=["b.txt"]))
    other = asyncio.run(rehearsal._Host_directory(HostValue(), path=str(folder), exclude=[]))

    assert again == first
    assert (first.path / "a.txt").read_text() == "x"
    assert other.digest != first.digest  # another filter is another upload, of the tree as it is now


def secret(tmp_path: Path, uri: str, cache_key: str | None = None) -> SecretValue:
    return asyncio.run(engine(tmp_path)._Query_secret(None, uri=uri, cacheKey=cache_key))


def addressed(tmp_path: Path, address: str) -> SecretValue:
    """`dag.address(address).secret()`, as a Secret flag of `dagger call` gives it."""
    calls = [Field("Query", "address", {"value": address}), Field("Address", "secret", {})]
    return asyncio.run(engine(tmp_path).resolve(calls))  # type: ignore[no-any-return]


def exec_key(tmp_path: Path, *calls: Field) -> str:
    """The key `withExec(["true"])` asks the layer store for, after `calls` on a container with an image."""
    rehearsal, asked = engine(tmp_path), []

    async def layer(state: ContainerState, args: list[str], key: str) -> ContainerState:
        asked.append(key)
        return state

    rehearsal.layers.layer = layer  # type: ignore[method-assign]
    exec_true = Field("Container", "withExec", {"args": ["true"]})
    asyncio.run(rehearsal.resolve([Field("Query", "container", {}), *calls, exec_true]))
    return asked[0]


def test_the_exec_key_moves_with_each_literal_and_input_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKEN_A", "s3cr3t-a")
    monkeypatch.setenv("TOKEN_B", "s3cr3t-b")

    def env(value: str) -> Field:
        return Field("Container", "withEnvVariable", {"name": "MODE", "value": value})

    def mount(target: str) -> Field:
        return Field("Container", "withMountedCache", {"path": target, "cache": CacheValue("uv")})

    def secret_variable(name: str, value: SecretValue) -> Field:
        return Field("Container", "withSecretVariable", {"name": name, "secret": value})

    token_a, token_b = secret(tmp_path, "env://TOKEN_A"), secret(tmp_path, "env://TOKEN_B")
    base = exec_key(tmp_path, env("a"), mount("/cache"), secret_variable("TOKEN", token_a))
    assert base == exec_key(tmp_path, env("a"), mount("/cache"), secret_variable("TOKEN", token_a))
    assert base != exec_key(tmp_path, env("b"), mount("/cache"), secret_variable("TOKEN", token_a))
    assert base != exec_key(tmp_path, env("a"), mount("/other"), secret_variable("TOKEN", token_a))
    assert base != exec_key(tmp_path, env("a"), mount("/cache"), secret_variable("OTHER", token_a))
    assert base != exec_key(tmp_path, env("a"), mount("/cache"), secret_variable("TOKEN", token_b))
    assert "s3cr3t" not in base


def test_secrets_with_one_cache_key_share_the_exec_key_whatever_their_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """schema/secret.go: `cacheKey` makes secrets equivalent for cache lookups, even of other values."""
    monkeypatch.setenv("TOKEN_A", "s3cr3t-a")
    monkeypatch.setenv("TOKEN_B", "s3cr3t-b")

    def keyed(uri: str, cache_key: str) -> str:
        value = secret(tmp_path, uri, cache_key)
        return exec_key(tmp_path, Field("Container", "withSecretVariable", {"name": "T", "secret": value}))

    assert keyed("env://TOKEN_A", "token") == keyed("env://TOKEN_B", "token") != keyed("env://TOKEN_A", "x")
    assert secret(tmp_path, "env://TOKEN_A", "k").plaintext == "s3cr3t-a"
    assert (
        addressed(tmp_path, "env://TOKEN_B?cacheKey=k").digest
        == secret(tmp_path, "env://TOKEN_A", "k").digest
    )


def test_a_name_the_legacy_and_the_full_address_are_one_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAREERVP_TOKEN", "s3cr3t")
    bare, legacy, full = (
        addressed(tmp_path, a) for a in ("CAREERVP_TOKEN", "env:CAREERVP_TOKEN", "env://CAREERVP_TOKEN")
    )
    assert bare == legacy == full == SecretValue("s3cr3t")


def test_a_secret_uri_the_engine_refuses_is_refused_when_made(tmp_path: Path) -> None:
    with pytest.raises(dagger.QueryError, match=r'^parse "CAREERVP_TOKEN": malformed id$'):
        secret(tmp_path, "CAREERVP_TOKEN")
    with pytest.raises(dagger.QueryError, match=r'^unsupported secret provider: "nope"$'):
        addressed(tmp_path, "nope://x")
    with pytest.raises(RehearsalGap, match=r"the cmd:// secret provider is not rehearsed"):
        addressed(tmp_path, "cmd://x")
    with pytest.raises(dagger.QueryError, match=r"^resource cannot have empty address$"):
        addressed(tmp_path, "")


def test_a_missing_variable_is_keyed_at_random_with_a_warning_and_fails_the_exec_that_uses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """schema/secret.go warns and keys the secret at random; container_exec.go fails where the exec needs
    the plaintext, naming the variable by its first three characters (env.go)."""
    monkeypatch.delenv("CAREERVP_UNSET", raising=False)
    said: list[str] = []
    rehearsal = Engine(tmp_path / "cache", log=said.append)
    missing = asyncio.run(rehearsal._Query_secret(None, uri="env://CAREERVP_UNSET"))
    again = asyncio.run(rehearsal._Query_secret(None, uri="env://CAREERVP_UNSET"))
    assert said == [f'rehearsal: WARN {RANDOM_KEY_WARNING}: secret env var not found: "CAR..."'] * 2
    assert missing.digest != again.digest, "a random key never finds a layer"

    state = asyncio.run(rehearsal._Container_withSecretVariable(IMAGE, name="TOKEN", secret=missing))
    with pytest.raises(dagger.QueryError) as failed:
        asyncio.run(rehearsal._Container_withExec(state, args=["true"]))
    assert str(failed.value) == 'secret env "TOKEN": secret env var not found: "CAR..."'
    with pytest.raises(dagger.QueryError, match=r'^secret env var not found: "CAR\.\.\."$'):
        asyncio.run(rehearsal._Container_withRegistryAuth(IMAGE, "127.0.0.1:5000/x", "u", missing))


def test_a_missing_variable_with_a_cache_key_is_keyed_by_it_without_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CAREERVP_UNSET", raising=False)
    said: list[str] = []
    rehearsal = Engine(tmp_path / "cache", log=said.append)
    keyed = asyncio.run(rehearsal._Query_secret(None, uri="env://CAREERVP_UNSET", cacheKey="k"))
    assert keyed.digest == secret(tmp_path, "env://HOME", "k").digest
    assert said == []
    with pytest.raises(dagger.QueryError, match="session resource handle"):
        secret(tmp_path, "env://HOME", "")


def test_a_secret_value_never_appears_in_an_error_naming_a_call(tmp_path: Path) -> None:
    token = SecretValue("s3cr3t-value")
    mount = Field("Container", "withMountedSecret", {"path": "/run/token", "source": token})
    with pytest.raises(RehearsalGap) as gap:
        asyncio.run(engine(tmp_path).resolve([Field("Query", "container", {}), mount]))
    assert "withMountedSecret" in str(gap.value)
    assert "s3cr3t-value" not in str(gap.value)


def test_set_secret_is_keyed_by_its_value_where_upstream_keys_it_by_its_name(tmp_path: Path) -> None:
    """The divergence `Engine._Query_setSecret` writes down: upstream's SetSecretHandle hashes the name and
    the caller's scope, so there one name of two values would share a key and two names of one would not."""

    def set_secret(name: str, plaintext: str) -> SecretValue:
        return asyncio.run(engine(tmp_path)._Query_setSecret(None, name=name, plaintext=plaintext))

    assert set_secret("a", "v").digest == set_secret("b", "v").digest != set_secret("a", "w").digest


def test_the_module_and_the_sdk_runtime_never_ask_for_one_cache_volume_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The engine keeps one volume per key and asking module (core/schema/cache.go `namespaceFromModule`);
    the rehearsal keys by the key alone, which is the same only while the module's keys and the SDK
    runtime's differ."""
    recorded_run(monkeypatch, output=FAKE_DIGEST + "\n")
    toolchain: dagger.Container = asyncio.run(Careervp().setup(src=tree()))
    store = ResultStore.named(ENGINE, writable=False)
    assert store is not None
    module = {
        *cache_keys(toolchain).values(),
        *cache_keys(store.attach(dagger.dag.container(), "ns")).values(),
    }
    runtime = set(cache_keys(installed_in_container(ROOT)).values())
    assert runtime == {SDK_UV_CACHE}
    assert module == {uv_cache_key(FAKE_DIGEST), "careervp-npm", ENGINE_VOLUME}
    assert module.isdisjoint(runtime)
