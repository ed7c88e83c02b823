from __future__ import annotations

import importlib
import re

from careervp.resources import BUCKETS, FUNCTIONS, SECRETS, TABLES, Bucket, Function, Secret, Table

NAME_PART = re.compile(r"^[a-z][a-z0-9-]*$")


def test_every_handler_path_imports_to_a_callable() -> None:
    for function in FUNCTIONS:
        module, _, attribute = function.handler.rpartition(".")
        assert callable(getattr(importlib.import_module(module), attribute)), function.handler


def test_routes_are_unique_across_functions() -> None:
    routes = [(route.method, route.path) for function in FUNCTIONS for route in function.routes]

    assert len(routes) == len(set(routes))


def test_name_parts_fit_the_physical_naming_scheme() -> None:
    named: tuple[Table | Bucket | Secret | Function, ...] = (*TABLES, *BUCKETS, *SECRETS, *FUNCTIONS)
    for resource in named:
        assert NAME_PART.match(resource.component), resource
        assert NAME_PART.match(resource.resource), resource


def test_each_function_reads_the_env_vars_of_exactly_the_resources_it_is_granted() -> None:
    kb = next(function for function in FUNCTIONS if function.component == "kb")

    assert kb.env_vars == ("CAREERVP_ENV", "CAREERVP_VERSION", "CAREERVP_KB_TABLE", "CAREERVP_KB_BUCKET")
    billing = next(function for function in FUNCTIONS if function.component == "billing")
    assert "STRIPE_WEBHOOK_SECRET_ARN" in billing.env_vars
    assert "CAREERVP_KB_BUCKET" not in billing.env_vars
