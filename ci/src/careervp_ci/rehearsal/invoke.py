"""A module function called the way the engine calls it through the Python SDK's runtime.

The engine hands the runtime the parent object's state and every argument as JSON; the SDK's own
`Module.get_result` structures them with its converter, calls the function and unstructures the result (a
module object as its fields, a core object such as a Secret or Container as its ID). The engine keeps that
JSON as the parent of the next call in the chain. Going through it here means `release ... deploy` hands
`deploy` exactly what survives that round trip (a Release whose Secrets are IDs), never the live Python object
the previous call returned.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import dagger


async def _as_json(value: Any) -> Any:
    """An argument as the CLI sends it: a core object (Directory, File, Secret) by its ID."""
    if isinstance(value, dagger.client.base.Type):
        return await value.id()  # type: ignore[attr-defined]  # every core object has id()
    return value


def _through_json(value: Any) -> Any:
    """What crosses the engine is JSON text, not Python objects."""
    return json.loads(json.dumps(value))


def _module(owner: type) -> Any:
    return owner.__dagger_module__  # type: ignore[attr-defined]  # set by @object_type


async def invoke(owner: type, state: Mapping[str, Any], attribute: str, keywords: Mapping[str, Any]) -> Any:
    """Call the function (or read the field) whose Python name is `attribute` on the module object of class
    `owner` whose state is `state`, with `keywords` by Python keyword; returns the result as the runtime
    returns it to the engine (a JSON value)."""
    module = _module(owner)
    definition = module.get_object(owner.__name__)
    members = {**definition.fields, **definition.functions}
    name = next(key for key, member in members.items() if member.original_name == attribute)
    parameters = definition.functions[name].parameters if name in definition.functions else {}
    arguments = {
        parameters[keyword].name: _through_json(await _as_json(value)) for keyword, value in keywords.items()
    }
    result = await module.get_result(owner.__name__, _through_json(dict(state)), name, arguments)
    return _through_json(result)


async def loaded(owner: type, value: Any, kind: Any) -> Any:
    """A JSON result as the caller of the chain sees it: a core object loaded back from its ID, a module
    object from its fields (the SDK's own converter does both)."""
    if value is None or kind is None or kind is type(None):
        return value
    return await _module(owner).structure(value, kind)
