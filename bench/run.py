"""Benchmark where users wait, on one copy of the tree, in one run, ratios side by side (issue 16).

    uv run python bench/run.py [--runs N] [--module PATH] [--out DIR] [--skip-setup]

Scenarios:
  setup       a fresh copy of the tree (no .tools, .venv, node_modules) to a working environment: `make setup`
              with warm package caches (uv's, pip's, npm's)
  a. sequential  bench/sequential.sh: the `pr` tools one after another, no caches
  b. cold        careervp-ci ci --profile pr, empty result cache and tool caches; a trusted run that
                 publishes its passes to a shared store (a folder standing in for the artifact store)
  c. warm        the same again, nothing changed
  d. one-line    after a one-line code change inside a function body of one backend module
  e. docs        after a one-line change in README.md
  f. fresh-runner  nothing changed, an empty local cache, the shared store from b (a new CI runner)
  cold-start  each handler's import in a fresh interpreter (-S, PYTHONDONTWRITEBYTECODE=1) from the Lambda
              asset inside the artifact built from this tree, unpacked read-only as Lambda unpacks it:
              today's package (BASELINE commit, no bytecode) against the asset as shipped, and the same
              asset without its bytecode beside (bench/cold_start.py)
Targets: setup <= 30 s; b/a <= 0.45; d/b <= 0.25; e < 3 s; f/b <= 0.05; import <= 0.35x today's.
Writes bench.json, bench.md and bench.svg to --out (default bench/results); prints the table.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from careervp_ci.pipeline.profiles import PROFILES
from chart import write_chart
from cold_start import cold_start

REPOSITORY = Path(__file__).resolve().parents[1]
TOOL_CACHES = (".mypy_cache", ".ruff_cache", ".pytest_cache", ".careervp", ".reports")
RAN = ("passed", "failed", "unverified", "stopped")
STEP_LINE = re.compile(
    r"^\S+ (?P<step>[\w-]+) (?P<status>passed|cached|failed|unverified|stopped|never ran)"
    r" \((?P<seconds>[\d.]+)s\)"
)


@dataclass
class Sample:
    seconds: float
    exit_code: int
    statuses: list[tuple[str, str]] = field(default_factory=list)
    """(step, status) pairs, in the order they finished."""
    step_seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class Row:
    """One line of the results table: a measurement, its ratio to a reference, and the target."""

    scenario: str
    seconds: float
    ratio: str
    target: str
    met: bool
    note: str = ""


def copy_tree(destination: Path, *, commit: bool = True) -> Path:
    """The working tree as git sees it (tracked and untracked, not ignored), committed in a fresh repo."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPOSITORY,
        capture_output=True,
        check=True,
    )
    for relative in filter(None, listed.stdout.decode().split("\0")):
        source = REPOSITORY / relative
        if source.is_file():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    if commit:
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
        subprocess.run([*git, "init", "-q"], cwd=destination, check=True)
        subprocess.run([*git, "add", "-A"], cwd=destination, check=True)
        subprocess.run([*git, "commit", "-qm", "bench"], cwd=destination, check=True)
    return destination


def clear_tool_caches(tree: Path) -> None:
    for name in TOOL_CACHES:
        for found in [tree / name, *tree.rglob(name)]:
            if found.is_dir() and "node_modules" not in found.parts:
                shutil.rmtree(found, ignore_errors=True)


def timed(command: Sequence[str], cwd: Path, env: dict[str, str]) -> Sample:
    started = time.monotonic()
    finished = subprocess.run(list(command), cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    statuses, step_seconds = [], {}
    for line in finished.stdout.splitlines():
        if match := STEP_LINE.match(line):
            statuses.append((match["step"], match["status"]))
            step_seconds[match["step"]] = float(match["seconds"])
    notes = [line for line in finished.stdout.splitlines() if "test impact:" in line]
    if finished.returncode != 0:
        print(
            f"  ! exit {finished.returncode}: {(finished.stdout + finished.stderr)[-1500:]}", file=sys.stderr
        )
    return Sample(round(seconds, 2), finished.returncode, statuses, step_seconds, notes)


def one_line_change(text: str, run: int) -> str:
    """`text` with one statement added at the top of its first function's body (after its docstring): a real
    code change, neutral to format, lint and types (`_bench` is a dummy name to ruff)."""
    tree = ast.parse(text)
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    first = function.body[0]
    docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    anchor = function.body[1] if docstring and len(function.body) > 1 else first
    lines = text.splitlines(keepends=True)
    indent = lines[anchor.lineno - 1][: anchor.col_offset]
    lines.insert(anchor.lineno - 1, f"{indent}_bench = {run}\n")
    return "".join(lines)


def median(samples: Sequence[Sample]) -> float:
    return statistics.median(sample.seconds for sample in samples)


def measure_setup(scratch: Path) -> Sample:
    """`make setup` in a fresh copy of the tree (no .tools, .venv, node_modules), package caches warm."""
    tree = copy_tree(scratch / "setup-tree", commit=False)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "UV_"))}
    env.pop("UV", None)
    return timed(["make", "--no-print-directory", "setup"], tree, env)


def pipeline_scenarios(
    scratch: Path, runs: int, module: str, excluded: Sequence[str]
) -> dict[str, list[Sample]]:
    bin_dir = Path(sys.executable).parent
    tree = copy_tree(scratch / "tree")
    (tree / "node_modules").symlink_to(REPOSITORY / "node_modules")
    cache, shared = scratch / "result-cache", scratch / "shared-store"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "CAREERVP_CACHE_DIR": str(cache),
        "CAREERVP_SHARED_CACHE": str(shared),
        "CAREERVP_SHARED_CACHE_WRITE": "trusted",
        "BENCH_SKIP": " ".join(excluded),
        # the scanner's own locked environment (ci/tools/checkov), which the copy does not carry
        "CAREERVP_CHECKOV_ENV": str(REPOSITORY / "ci" / "tools" / "checkov" / ".venv"),
    }
    env.pop("GITHUB_STEP_SUMMARY", None)
    pipeline = [str(bin_dir / "careervp-ci"), "ci", "--profile", "pr", "--src", str(tree)]
    if excluded:
        pipeline += [arg for step in PROFILES["pr"].steps if step not in excluded for arg in ("--only", step)]
    sequential = ["bash", str(REPOSITORY / "bench" / "sequential.sh"), str(tree)]
    samples: dict[str, list[Sample]] = {key: [] for key in "abcdef"}
    source, readme = tree / module, tree / "README.md"
    original, original_readme = source.read_text(encoding="utf-8"), readme.read_text(encoding="utf-8")
    for run in range(runs):
        print(f"pipeline run {run + 1}/{runs}", file=sys.stderr)
        clear_tool_caches(tree)
        samples["a"].append(timed(sequential, tree, env))
        clear_tool_caches(tree)
        for folder in (cache, shared):
            shutil.rmtree(folder, ignore_errors=True)
        samples["b"].append(timed(pipeline, tree, env))
        samples["c"].append(timed(pipeline, tree, env))
        source.write_text(one_line_change(original, run), encoding="utf-8")
        samples["d"].append(timed(pipeline, tree, env))
        source.write_text(original, encoding="utf-8")
        readme.write_text(original_readme + f"\nbench: docs change {run}\n", encoding="utf-8")
        samples["e"].append(timed(pipeline, tree, env))
        readme.write_text(original_readme, encoding="utf-8")
        shutil.rmtree(cache, ignore_errors=True)
        read_only = {**env, "CAREERVP_SHARED_CACHE_WRITE": ""}
        samples["f"].append(timed(pipeline, tree, read_only))
    return samples


def ran(sample: Sample) -> str:
    """The steps that ran (not from the cache), slowest first, with their seconds: where the time went."""
    steps = sorted(
        ((name, sample.step_seconds.get(name, 0.0)) for name, status in sample.statuses if status in RAN),
        key=lambda item: -item[1],
    )
    return "ran: " + (", ".join(f"{name} {seconds:.0f} s" for name, seconds in steps) or "nothing")


def rows(setup: Sample | None, samples: dict[str, list[Sample]], start: dict[str, object]) -> list[Row]:
    a, b, c, d, e, f = (median(samples[key]) for key in "abcdef")
    impact_notes = [note.split("test impact: ", 1)[-1] for note in samples["d"][-1].notes]
    d_notes = f"{ran(samples['d'][-1])}; " + "; ".join(impact_notes)
    result = []
    if setup:
        result.append(
            Row("setup: fresh copy -> make setup", setup.seconds, "", "<= 30 s", setup.seconds <= 30)
        )
    result += [
        Row("a. sequential script", a, "", "reference", True),
        Row(
            "b. ci --profile pr, cold",
            b,
            f"b/a = {b / a:.2f}",
            "<= 0.45",
            b / a <= 0.45,
            ran(samples["b"][-1]),
        ),
        Row("c. no change", c, f"c/b = {c / b:.3f}", "< 0.05", c / b < 0.05),
        Row("d. one-line code change", d, f"d/b = {d / b:.2f}", "<= 0.25", d / b <= 0.25, d_notes),
        Row("e. docs-only change", e, "", "< 3 s", e < 3, ran(samples["e"][-1])),
        Row("f. fresh runner, shared store", f, f"f/b = {f / b:.3f}", "<= 0.05", f / b <= 0.05),
    ]
    imports: dict[str, dict[str, float]] = start["imports"]  # type: ignore[assignment]
    for handler, seconds in imports.items():
        ratio = seconds["now"] / seconds["today"]
        unshipped = seconds["without_bytecode"]
        result.append(
            Row(
                f"import handlers.{handler} (today {seconds['today']:.2f} s)",
                seconds["now"],
                f"{ratio:.2f}x today",
                "<= 0.35",
                ratio <= 0.35,
                f"shipped asset; without its .pyc {unshipped:.2f} s ({seconds['now'] / unshipped:.2f}x)",
            )
        )
    return result


def write_results(out: Path, table: list[Row], raw: dict[str, object]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(raw, indent=2, default=str), encoding="utf-8")
    load = raw["load"]
    excluded = ", ".join(raw["excluded"]) or "none"  # type: ignore[arg-type]
    lines = [
        f"## Where users wait ({raw['runs']} pipeline run(s), medians; {os.cpu_count()} CPUs; "
        f"load average {load['before']} before, {load['after']} after)",
        "",
        f"Command: `make bench` (`bench/run.py`); `pr` gates left out of both a and b-f: {excluded}.",
        "",
        "| scenario | seconds | ratio | target | met | note |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.scenario} | {r.seconds:.2f} | {r.ratio} | {r.target} | {'yes' if r.met else 'NO'} "
        f"| {r.note.replace('|', '\\|')} |"
        for r in table
    ]
    sizes: dict[str, int] = raw["cold_start"]["bytes"]  # type: ignore[index]
    lines += [
        "",
        f"Lambda package: {sizes['now'] / 1e6:.1f} MB unpacked (today's: {sizes['today'] / 1e6:.1f} MB).",
    ]
    (out / "bench.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_chart(out / "bench.svg", [(r.scenario, r.ratio, r.met) for r in table if r.ratio])
    print("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="samples per pipeline scenario (default 1)")
    parser.add_argument("--module", default="src/backend/careervp/kb/store.py", help="module edited in d")
    parser.add_argument("--out", type=Path, default=REPOSITORY / "bench" / "results")
    parser.add_argument("--skip-setup", action="store_true", help="leave out the fresh-setup scenario")
    parser.add_argument("--imports", type=int, default=5, help="imports per handler and package (median)")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="STEP",
        help="leave a `pr` gate out of both the script and the pipeline (e.g. one that is red at HEAD)",
    )
    args = parser.parse_args()
    if not (REPOSITORY / args.module).is_file():
        parser.error(f"--module {args.module!r} does not exist in {REPOSITORY}")
    before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="careervp-bench-") as scratch_name:
        scratch = Path(scratch_name)
        setup = None if args.skip_setup else measure_setup(scratch)
        unknown = [step for step in args.exclude if step not in PROFILES["pr"].steps]
        if unknown:
            parser.error(f"--exclude {unknown}: not pr steps ({', '.join(PROFILES['pr'].steps)})")
        samples = pipeline_scenarios(scratch, args.runs, args.module, args.exclude)
        start = cold_start(scratch, args.imports)
    raw: dict[str, object] = {
        "runs": args.runs,
        "module": args.module,
        "excluded": args.exclude,
        "load": {"before": before, "after": [round(x, 2) for x in os.getloadavg()]},
        "setup": asdict(setup) if setup else None,
        "scenarios": {key: [asdict(sample) for sample in value] for key, value in samples.items()},
        "cold_start": start,
    }
    table = rows(setup, samples, start)
    raw["table"] = [asdict(row) for row in table]
    write_results(args.out, table, raw)
    return 0


if __name__ == "__main__":
    sys.exit(main())
