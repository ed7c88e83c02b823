"""What the strategy's phases cost the pull-request bar (issue 14): `ci --profile pr`, cold, on the tree
before the phases' features, before phases 9/10, and now, in one run, interleaved so load hits each alike.

    uv run python bench/phases.py [--runs N] [--out DIR] [--commit LABEL=REV ...]

Each revision is cloned into its own folder and set up with its own `make setup` (the pipeline's code moved
between them, so each runs its own `careervp-ci`). A sample empties the result cache and the tool caches
first. Target: now / before-phases <= 1.20 in CPU seconds (wall seconds beside). Writes phases.json
and phases.md to --out (bench/results).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from run import Sample, clear_tool_caches, timed

REPOSITORY = Path(__file__).resolve().parents[1]
REVISIONS = {
    "before-phases": "a08e1b1",
    "before-9-10": "5a72611",
    "now": "HEAD",
}
"""a08e1b1: the last commit before phases 8 and 12 merged (86b9f54); 5a72611: the last before phases 9 and
10 merged (f168ff5)."""
TARGET = 1.20


def prepared_tree(scratch: Path, label: str, revision: str) -> Path:
    """A clone of `revision` with its own locked toolchain."""
    tree = scratch / label
    subprocess.run(["git", "clone", "--quiet", "--shared", str(REPOSITORY), str(tree)], check=True)
    subprocess.run(["git", "checkout", "--quiet", "--detach", revision], cwd=tree, check=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "UV_"))}
    subprocess.run(["make", "--no-print-directory", "setup"], cwd=tree, env=env, check=True)
    return tree


def cpu_seconds() -> float:
    """User + system time of every finished descendant: the work a run did, whatever else loads the
    machine."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def cold_pr(tree: Path, cache: Path) -> tuple[Sample, float]:
    """One cold run of the pr bar, and the CPU seconds it took."""
    clear_tool_caches(tree)
    shutil.rmtree(cache, ignore_errors=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "UV_"))}
    env.pop("GITHUB_STEP_SUMMARY", None)
    env.pop("CAREERVP_SHARED_CACHE", None)
    env["CAREERVP_CACHE_DIR"] = str(cache)
    command = [".tools/bin/uv", "run", "--frozen", "careervp-ci", "ci", "--profile", "pr", "--src", "."]
    before = cpu_seconds()
    sample = timed(command, tree, env)
    return sample, round(cpu_seconds() - before, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=REPOSITORY / "bench" / "results")
    parser.add_argument("--commit", action="append", default=[], metavar="LABEL=REV")
    args = parser.parse_args()
    revisions = dict(REVISIONS)
    for given in args.commit:
        label, _, revision = given.partition("=")
        if not revision:
            parser.error(f"--commit {given!r}: expected LABEL=REV")
        revisions[label] = revision
    shas = {
        label: subprocess.run(
            ["git", "rev-parse", "--short", revision],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for label, revision in revisions.items()
    }
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-phases-") as folder:
        scratch = Path(folder)
        trees = {label: prepared_tree(scratch, label, shas[label]) for label in revisions}
        taken: dict[str, list[tuple[Sample, float]]] = {label: [] for label in revisions}
        for run in range(args.runs):
            for label, tree in trees.items():
                print(f"run {run + 1}/{args.runs}: {label} ({shas[label]})", file=sys.stderr)
                taken[label].append(cold_pr(tree, scratch / f"cache-{label}"))
    wall = {label: statistics.median(s.seconds for s, _ in runs) for label, runs in taken.items()}
    cpu = {label: statistics.median(c for _, c in runs) for label, runs in taken.items()}
    lines = [
        f"## The pr profile, cold, across the phases' work ({args.runs} run(s) each, interleaved, medians; "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after)",
        "",
        "Command: `uv run python bench/phases.py`. Target (issue 14: the new suites slow the pr profile by "
        f"no more than 20%): now / before-phases ≤ {TARGET:.2f} in CPU seconds (the work the bar does, "
        "which other load on the machine does not change); wall seconds are shown beside it.",
        "",
        "| tree | commit | wall s | wall ratio | CPU s | CPU ratio | exit codes | slowest steps (wall s) |",
        "| -- | -- | -- | -- | -- | -- | -- | -- |",
    ]
    for label, runs in taken.items():
        last = runs[-1][0]
        slowest = sorted(last.step_seconds.items(), key=lambda item: -item[1])[:4]
        lines.append(
            f"| {label} | {shas[label]} | {wall[label]:.1f} | {wall[label] / wall['before-phases']:.2f} "
            f"| {cpu[label]:.1f} | {cpu[label] / cpu['before-phases']:.2f} "
            f"| {', '.join(str(s.exit_code) for s, _ in runs)} "
            f"| {', '.join(f'{step} {seconds:.0f}' for step, seconds in slowest)} |"
        )
    met = cpu["now"] / cpu["before-phases"] <= TARGET
    lines += ["", f"Target met: {'yes' if met else 'NO'}."]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "phases.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw = {label: [{**vars(s), "cpu_seconds": c} for s, c in runs] for label, runs in taken.items()}
    (args.out / "phases.json").write_text(json.dumps({"commits": shas, "samples": raw}, indent=2), "utf-8")
    print("\n".join(lines))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
