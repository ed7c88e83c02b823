"""mypy's and ruff's caches are keyed by what configures them: another setting is another, empty folder."""

from __future__ import annotations

from pathlib import Path

from careervp_ci.pipeline.steps.context import StepContext
from careervp_ci.pipeline.tool_cache import tool_cache_dir


def context(src: Path, state: Path | None) -> StepContext:
    return StepContext("typecheck", src, src / "reports", {}, src, state_dir=state)


def test_a_tool_cache_follows_its_configuration_and_is_absent_without_a_result_cache(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mypy]\nstrict = true\n", encoding="utf-8")
    ctx = context(tmp_path, tmp_path / "state")
    before = tool_cache_dir(ctx, "mypy", ("pyproject.toml",))
    assert before == tool_cache_dir(ctx, "mypy", ("pyproject.toml",))
    (tmp_path / "pyproject.toml").write_text("[tool.mypy]\nstrict = false\n", encoding="utf-8")
    after = tool_cache_dir(ctx, "mypy", ("pyproject.toml",))
    assert before is not None and after is not None and before != after
    assert before.parent == tmp_path / "state" / "tools"
    assert tool_cache_dir(context(tmp_path, None), "mypy", ("pyproject.toml",)) is None
