"""Benchmark the host pipeline against a plain sequential script, on one copy of the tree, in one run.

    uv run python bench/run.py [--runs N] [--module PATH] [--out DIR]

Scenarios (each measured N times, medians reported):
  a. sequential  bench/sequential.sh: the same tools one after another, no result cache, no tool caches
  b. cold        careervp-ci ci --profile pr with an empty result cache and no tool caches (a clean clone)
  c. warm        the same again with nothing changed
  d. one-line    after a one-line change in one backend module (a fresh line each time, so never cached)
Targets (issue 3): b <= 0.7 x a; c < 5% of b; d re-runs only the steps that read the changed file.
Writes bench.json and bench.md to --out (default .reports/bench).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
TOOL_CACHES = (".mypy_cache", ".ruff_cache", ".pytest_cache", ".careervp", ".reports")
STEP_LINE = re.compile(
    r"^\S+ (?P<step>[\w-]+) (?P<status>passed|cached|failed|unverified|stopped|never ran)"
    r" \((?P<seconds>[\d.]+)s\)"
)
RAN = ("passed", "failed", "unverified", "stopped")


@dataclass
class Sample:
    seconds: float
    exit_code: int
    statuses: dict[str, str] = field(default_factory=dict)
    step_seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Scenario:
    name: str
    description: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(sample.seconds for sample in self.samples)


def copy_tree(destination: Path) -> Path:
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
    (destination / "node_modules").symlink_to(REPOSITORY / "node_modules")
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


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> Sample:
    started = time.monotonic()
    finished = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    statuses, step_seconds = {}, {}
    for line in finished.stdout.splitlines():
        if match := STEP_LINE.match(line):
            statuses[match["step"]] = match["status"]
            step_seconds[match["step"]] = float(match["seconds"])
    if finished.returncode != 0:
        print(
            f"  ! exit {finished.returncode}: {(finished.stdout + finished.stderr)[-1500:]}", file=sys.stderr
        )
    return Sample(round(seconds, 2), finished.returncode, statuses, step_seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="samples per scenario (default 3)")
    parser.add_argument(
        "--module", default="src/backend/careervp/config.py", help="backend module to edit in d"
    )
    parser.add_argument("--out", type=Path, default=REPOSITORY / ".reports" / "bench")
    args = parser.parse_args()
    if not (REPOSITORY / args.module).is_file():
        parser.error(f"--module {args.module!r} does not exist in {REPOSITORY}")
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="careervp-bench-") as scratch:
        tree = copy_tree(Path(scratch) / "tree")
        cache = Path(scratch) / "result-cache"
        env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "CAREERVP_CACHE_DIR": str(cache),
        }
        env.pop("GITHUB_STEP_SUMMARY", None)
        pipeline = [str(bin_dir / "careervp-ci"), "ci", "--profile", "pr", "--src", str(tree)]
        sequential = ["bash", str(REPOSITORY / "bench" / "sequential.sh"), str(tree)]
        scenarios = {
            "a": Scenario("sequential", "bench/sequential.sh, no caches"),
            "b": Scenario("cold", "careervp-ci ci --profile pr, empty result cache, no tool caches"),
            "c": Scenario("warm", "same, nothing changed"),
            "d": Scenario("one-line", f"same, after a one-line change in {args.module}"),
        }
        module = tree / args.module
        original = module.read_text(encoding="utf-8")
        for run in range(args.runs):
            print(f"run {run + 1}/{args.runs}", file=sys.stderr)
            clear_tool_caches(tree)
            scenarios["a"].samples.append(timed(sequential, tree, env))
            clear_tool_caches(tree)
            shutil.rmtree(cache, ignore_errors=True)
            scenarios["b"].samples.append(timed(pipeline, tree, env))
            scenarios["c"].samples.append(timed(pipeline, tree, env))
            module.write_text(one_line_change(original, run), encoding="utf-8")
            scenarios["d"].samples.append(timed(pipeline, tree, env))
            module.write_text(original, encoding="utf-8")
    write_results(args.out, args, scenarios)
    return 0


def rerun_steps(sample: Sample) -> list[str]:
    """Steps that actually ran (not restored from the cache, not skipped after a failure)."""
    return sorted(step for step, status in sample.statuses.items() if status in RAN)


def one_line_change(text: str, run: int) -> str:
    """`text` with one line added inside its module docstring: format-, lint- and type-neutral."""
    lines = text.splitlines(keepends=True)
    opening = next(i for i, line in enumerate(lines) if line.startswith('"""'))
    if lines[opening].rstrip().endswith('"""') and len(lines[opening].strip()) > 3:
        lines[opening] = lines[opening].rstrip()[:-3] + "\n"
        lines.insert(opening + 1, '"""\n')
    lines.insert(opening + 1, f"bench: one-line change {run}\n")
    return "".join(lines)


def write_results(out: Path, args: argparse.Namespace, scenarios: dict[str, Scenario]) -> None:
    a, b, c, d = (scenarios[key].median for key in "abcd")
    ratios = {"b/a": round(b / a, 3), "c/b": round(c / b, 3), "d/b": round(d / b, 3)}
    results = {
        "runs": args.runs,
        "module": args.module,
        "cpus": os.cpu_count(),
        "medians_seconds": {s.name: round(s.median, 2) for s in scenarios.values()},
        "ratios": ratios,
        "targets": {"b/a <= 0.7": ratios["b/a"] <= 0.7, "c/b < 0.05": ratios["c/b"] < 0.05},
        "one_line_change_reran": rerun_steps(scenarios["d"].samples[-1]),
        "all_exit_codes": {s.name: [x.exit_code for x in s.samples] for s in scenarios.values()},
        "scenarios": {key: asdict(s) for key, s in scenarios.items()},
    }
    reran = ", ".join(rerun_steps(scenarios["d"].samples[-1]))
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    lines = [
        f"## Pipeline benchmark ({args.runs} run(s) per scenario, {os.cpu_count()} CPUs, medians)",
        "",
        "| scenario | what | median | exit codes |",
        "| --- | --- | --- | --- |",
    ]
    for key, scenario in scenarios.items():
        codes = ", ".join(str(sample.exit_code) for sample in scenario.samples)
        lines.append(
            f"| {key}. {scenario.name} | {scenario.description} | {scenario.median:.1f} s | {codes} |"
        )
    lines += [
        "",
        f"- cold / sequential (b/a): **{ratios['b/a']:.2f}** (target <= 0.70)",
        f"- warm / cold (c/b): **{ratios['c/b']:.3f}** (target < 0.05)",
        f"- one-line change / cold (d/b): **{ratios['d/b']:.2f}**; re-ran: {reran}",
    ]
    (out / "bench.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
