"""The `docs` step: Markdown format (mdformat), internal links and anchors (lychee --offline)."""

from __future__ import annotations

from pathlib import Path

from support.fixture_project import CliRunner, write


def test_clean_markdown_with_resolving_links_and_anchors_passes(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    write(fixture_tree, "docs/guide.md", "# Guide\n\n## Setup\n\nSee [the readme](../README.md#fixture).\n")
    write(
        fixture_tree, "README.md", "# fixture\n\n[guide](docs/guide.md#setup), [web](https://example.com)\n"
    )
    result = careervp_ci("docs", "--no-cache", cwd=fixture_tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 Markdown files: formatted, internal links and anchors resolve" in result.stdout


def test_a_broken_relative_link_and_a_missing_anchor_fail_naming_file_and_line(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    write(fixture_tree, "README.md", "# fixture\n\nSee [gone](docs/gone.md) and [here](#no-such-section).\n")
    result = careervp_ci("docs", "--no-cache", cwd=fixture_tree)
    assert result.returncode == 1
    assert "broken internal link" in result.stdout
    assert "README.md:3: docs/gone.md" in result.stdout
    assert "README.md#no-such-section" in result.stdout


def test_unformatted_markdown_fails_and_says_how_to_fix_it(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    write(fixture_tree, "docs/guide.md", "# Guide\n* one\n* two\n")
    result = careervp_ci("docs", "--no-cache", cwd=fixture_tree)
    assert result.returncode == 1
    assert "Markdown not formatted (fix: uv run mdformat <file>" in result.stdout
    assert "docs/guide.md" in result.stdout


def test_files_excluded_from_the_format_are_named_in_the_notes_and_their_links_still_checked(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    write(fixture_tree, ".mdformat.toml", 'wrap = "keep"\nexclude = ["legacy.md"]\n')
    write(fixture_tree, "legacy.md", "# Legacy\n* unformatted\n")
    result = careervp_ci("docs", "--no-cache", cwd=fixture_tree)
    assert result.returncode == 0, result.stdout
    assert "format not yet enforced (.mdformat.toml excludes it): legacy.md" in result.stdout
    write(fixture_tree, "legacy.md", "# Legacy\n\n[x](missing.md)\n")
    assert careervp_ci("docs", "--no-cache", cwd=fixture_tree).returncode == 1


def test_the_projects_own_markdown_passes_the_docs_check(careervp_ci: CliRunner) -> None:
    root = Path(__file__).resolve().parents[3]
    result = careervp_ci("docs", "--no-cache", "--reports", str(root / ".reports" / "test-docs"), cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
