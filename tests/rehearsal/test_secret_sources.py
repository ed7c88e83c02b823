"""A secret's address and provider by upstream's rules (core/schema/address.go and
engine/client/secretprovider at v0.21.8, the nearest tag in our mirror to the pinned v0.21.11): the address
normalised as `Address.secret` does, a URI refused as `ResolverForID` refuses it, env:// and file:// read as
env.go and file.go read, with upstream's wording."""

from __future__ import annotations

import re
from pathlib import Path

import dagger
import pytest
from careervp_ci.rehearsal.secret_sources import Unreadable, go_quote, normalised, reader
from careervp_ci.rehearsal.values import RehearsalGap


@pytest.mark.parametrize(
    ("address", "uri", "cache_key"),
    [
        ("FOO", "env://FOO", None),
        ("env:FOO", "env://FOO", None),
        ("env://FOO", "env://FOO", None),
        ("file:/run/token", "file:///run/token", None),
        ("file:~/token", "file://~/token", None),
        ("env://FOO?cacheKey=k", "env://FOO", "k"),
        ("FOO?cacheKey=a+b%21", "env://FOO", "a b!"),
        ("env://FOO?z=1&cacheKey=k&a=x+y", "env://FOO?a=x+y&z=1", "k"),
        ("env://FOO?cacheKey=", "env://FOO?cacheKey=", None),
        ("env://FOO?z=1&a=2", "env://FOO?z=1&a=2", None),
    ],
)
def test_an_address_is_the_uri_and_cache_key_address_go_selects(
    address: str, uri: str, cache_key: str | None
) -> None:
    assert normalised(address) == (uri, cache_key)


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("env://FOO?a=1;b=2&cacheKey=k", "invalid semicolon separator in query"),
        ("env://FOO?cacheKey=%zz", 'invalid URL escape "%zz"'),
    ],
)
def test_a_query_net_url_refuses_is_refused_with_its_words(address: str, message: str) -> None:
    with pytest.raises(dagger.QueryError) as refused:
        normalised(address)
    assert str(refused.value) == message


def test_a_uri_without_a_scheme_or_of_an_unknown_one_is_refused_with_upstreams_words() -> None:
    with pytest.raises(dagger.QueryError) as malformed:
        reader("FOO")
    assert str(malformed.value) == 'parse "FOO": malformed id'
    with pytest.raises(dagger.QueryError) as unknown:
        reader("nope://x")
    assert str(unknown.value) == 'unsupported secret provider: "nope"'


@pytest.mark.parametrize("scheme", ["cmd", "op", "vault", "libsecret", "gcp", "aws+sm", "aws+ps"])
def test_a_provider_the_engine_knows_but_the_rehearsal_does_not_read_is_a_gap_naming_it(scheme: str) -> None:
    with pytest.raises(RehearsalGap, match=re.escape(f"the {scheme}:// secret provider is not rehearsed")):
        reader(f"{scheme}://x")


def test_an_env_secret_is_the_variable_and_a_missing_one_is_named_by_three_characters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAREERVP_TOKEN", "s3cr3t\n")
    monkeypatch.delenv("CAREERVP_UNSET", raising=False)
    monkeypatch.delenv("ABC", raising=False)
    assert reader("env://CAREERVP_TOKEN")() == "s3cr3t\n"
    with pytest.raises(Unreadable) as long_name:
        reader("env://CAREERVP_UNSET")()
    assert str(long_name.value) == 'secret env var not found: "CAR..."'
    with pytest.raises(Unreadable) as short_name:
        reader("env://ABC")()
    assert str(short_name.value) == 'secret env var not found: "ABC"'


def test_a_file_secret_is_its_bytes_as_they_are_from_home_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "token").write_text("s3cr3t\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert reader(f"file://{tmp_path / 'token'}")() == "s3cr3t\n", "file.go strips nothing"
    assert reader("file://~/token")() == "s3cr3t\n"
    with pytest.raises(Unreadable, match=r"^cannot expand home directory$"):
        reader("file://~other/token")()


def test_a_file_that_cannot_be_read_is_named_with_gos_error(tmp_path: Path) -> None:
    missing, folder = tmp_path / "missing", tmp_path
    with pytest.raises(Unreadable) as absent:
        reader(f"file://{missing}")()
    assert str(absent.value) == (
        f'failed to read secret file "{missing}": open {missing}: no such file or directory'
    )
    with pytest.raises(Unreadable) as directory:
        reader(f"file://{folder}")()
    assert str(directory.value) == f'failed to read secret file "{folder}": read {folder}: is a directory'


def test_go_quote_escapes_as_strconv_quote() -> None:
    assert go_quote('a"b\\c\n\t\x00é') == '"a\\"b\\\\c\\n\\t\\x00é"'
