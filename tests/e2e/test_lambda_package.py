"""The Lambda package inside the built artifact holds the product and nothing that only serves development:
every `careervp` module in it is one a handler imports (at load or when it first needs it), and no module of
the development-only package (`careervp_local`: the local server, the emulator helpers, the contract
generator) is in it. Every module in it, the product's and its dependencies', ships with the bytecode the
runtime loads: an unchecked-hash .pyc of the runtime's Python beside its source. The package is one file in
the artifact, the zip a deploy uploads as is: unpacking the artifact writes it, not its thousands of files."""

from __future__ import annotations

import ast
import json
import tarfile
import zipfile
from importlib.util import MAGIC_NUMBER
from io import BytesIO
from pathlib import Path, PurePosixPath

from careervp_ci.release.artifact import unpack
from support.release_cli import Built

PRODUCT = "careervp"
DEVELOPMENT_ONLY = "careervp_local"
RUNTIME_CACHE_TAG = "cpython-313"
"""The Lambda runtime's `sys.implementation.cache_tag` (python3.13): the .pyc name it looks for."""
UNCHECKED_HASH = 0b01


def read(built: Built, name: str) -> bytes:
    with tarfile.open(built.tar) as bundle:
        handle = bundle.extractfile(name)
        assert handle is not None
        return handle.read()


def code_asset(built: Built) -> str:
    """The code asset's path in the artifact, as the manifest names it (`lambda.asset`)."""
    return str(json.loads(read(built, "manifest.json"))["lambda"]["asset"])


def package_files(built: Built, suffix: str) -> dict[str, bytes]:
    """The Lambda package's files ending in `suffix`, by path inside the package (as under /var/task)."""
    with zipfile.ZipFile(BytesIO(read(built, code_asset(built)))) as archive:
        return {
            name: archive.read(name) for name in archive.namelist() if PurePosixPath(name).suffix == suffix
        }


def package_sources(built: Built) -> dict[str, str]:
    """The Lambda package's Python sources in the artifact, by path inside the package."""
    return {path: data.decode() for path, data in package_files(built, ".py").items()}


def bytecode_path(source: str) -> str:
    path = PurePosixPath(source)
    return (path.parent / "__pycache__" / f"{path.stem}.{RUNTIME_CACHE_TAG}.pyc").as_posix()


def module_name(path: str) -> str:
    return ".".join(PurePosixPath(path).with_suffix("").parts).removesuffix(".__init__")


def imported(source: str, module: str, is_package: bool) -> set[str]:
    """The modules `source` imports anywhere in its body (a handler imports some only when it needs them)."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return found


def reachable_from_handlers(modules: dict[str, str], packages: set[str]) -> set[str]:
    """Every module a handler reaches through imports, with the packages that hold them."""
    pending = [name for name in modules if name.startswith(f"{PRODUCT}.handlers.")]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        parts = name.split(".")
        pending += [".".join(parts[:end]) for end in range(1, len(parts))]
        pending += sorted(imported(modules[name], name, name in packages))
    return seen


def test_the_lambda_package_holds_no_development_only_module(built: Built) -> None:
    sources = package_sources(built)
    assert f"{PRODUCT}/handlers/health.py" in sources
    assert sorted(path for path in sources if path.startswith(f"{DEVELOPMENT_ONLY}/")) == []
    assert f"{PRODUCT}/openapi.py" not in sources


def test_the_lambda_package_bundles_the_anthropic_sdk_the_model_routes_import(built: Built) -> None:
    sources = package_sources(built)
    assert "anthropic/__init__.py" in sources
    assert "anthropic/resources/messages/messages.py" in sources
    assert (
        f"{PRODUCT}/generation/client.py" in sources
        and f"{DEVELOPMENT_ONLY}/messages_standin.py" not in sources
    )


def test_every_product_module_in_the_lambda_package_is_one_a_handler_imports(built: Built) -> None:
    sources = package_sources(built)
    product = {path: text for path, text in sources.items() if path.startswith(f"{PRODUCT}/")}
    modules = {module_name(path): text for path, text in product.items()}
    packages = {module_name(path) for path in product if path.endswith("/__init__.py")}
    assert sorted(set(modules) - reachable_from_handlers(modules, packages)) == []


def test_every_module_in_the_lambda_package_ships_the_bytecode_the_runtime_loads(built: Built) -> None:
    sources, bytecode = package_files(built, ".py"), package_files(built, ".pyc")
    assert f"{PRODUCT}/handlers/health.py" in sources and "botocore/client.py" in sources
    assert sorted(source for source in sources if bytecode_path(source) not in bytecode) == []
    assert sorted(set(bytecode) - {bytecode_path(source) for source in sources}) == []
    headers = {(data[:4], int.from_bytes(data[4:8], "little")) for data in bytecode.values()}
    assert headers == {(MAGIC_NUMBER, UNCHECKED_HASH)}, "every .pyc: this Python's magic, never checked"


def test_the_artifact_holds_one_code_asset_the_zip_the_deploy_uploads_as_is(built: Built) -> None:
    asset = code_asset(built)
    with tarfile.open(built.tar) as bundle:
        members = bundle.getmembers()
    assert [(m.name, m.isfile()) for m in members if m.name.startswith("assembly/asset.")] == [(asset, True)]
    assert asset.endswith(".zip")
    packagings = {
        entry["source"].get("packaging")
        for member in members
        if member.name.endswith(".assets.json")
        for entry in json.loads(read(built, member.name))["files"].values()
        if PurePosixPath(entry["source"]["path"]).name == PurePosixPath(asset).name
    }
    assert packagings == {"file"}, "packaging 'zip' would zip the zip again"


def test_unpacking_the_artifact_writes_the_code_as_one_file(built: Built, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    unpack(built.tar, bundle)
    written = [path.relative_to(bundle).as_posix() for path in bundle.rglob("*") if path.is_file()]
    assert [name for name in written if name.startswith("assembly/asset.")] == [code_asset(built)]
    assert (bundle / code_asset(built)).read_bytes() == read(built, code_asset(built))
    assert len(written) < 200, f"a deploy writes {len(written)} files"
