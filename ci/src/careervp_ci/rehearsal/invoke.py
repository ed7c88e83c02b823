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

from careervp_ci.dagger_module.main import Careervp


async def _as_json(value: Any) -> Any:
    """An argument as the CLI sends it: a core object (Directory, File, Secret) by its ID."""
    if isinstance(value, dagger.client.base.Type):
        return await value.id()  # type: ignore[attr-defined]  # every core object has id()
    return value


def _through_json(value: Any) -> Any:
    """What crosses the engine is JSON text, not Python objects."""
    return json.loads(json.dumps(value))


async def invoke(parent: str, state: Mapping[str, Any], function: str, inputs: Mapping[str, Any]) -> Any:
    """Call `function` (its registered name) of the module object `parent` whose state is `state`, with
    `inputs` by parameter name; returns the result as the runtime returns it to the engine (JSON value)."""
    module = Careervp.__dagger_module__  # type: ignore[attr-defined]  # set by @object_type
    arguments = {name: _through_json(await _as_json(value)) for name, value in inputs.items()}
    result = await module.get_result(parent, _through_json(dict(state)), function, arguments)
    return _through_json(result)
