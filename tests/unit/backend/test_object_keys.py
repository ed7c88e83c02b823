from __future__ import annotations

import pytest
from careervp.object_keys import ObjectKeyError, object_key


def test_a_key_is_component_kind_name_and_extension() -> None:
    assert object_key("interview", "reports", "0f" * 16, "md") == f"interview/reports/{'0f' * 16}.md"


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("Interview", "reports", "a", "md"), "component 'Interview' must be lowercase"),
        (("interview", "re/ports", "a", "md"), "kind 're/ports'"),
        (("interview", "reports", "../a", "md"), "name '../a'"),
        (("interview", "reports", "a--b", "md"), "name 'a--b'"),
        (("interview", "reports", "a", "exe"), "extension 'exe' is not one of json, md, txt"),
        (("interview", "reports", "a" * 300, "md"), "is over 256 bytes"),
    ],
)
def test_a_key_breaking_the_rule_is_refused_naming_the_part(
    parts: tuple[str, str, str, str], message: str
) -> None:
    with pytest.raises(ObjectKeyError, match=message.replace("(", r"\(")):
        object_key(*parts)
