"""The workflow runner on planted workflows whose jobs need no container: state crosses jobs only as on
GitHub, and a read of something no earlier job or setting provides stops the rehearsal, named."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from careervp_ci.rehearsal.runner_env import FROM_CONTEXT, default_variables
from careervp_ci.rehearsal.standins import Run
from careervp_ci.rehearsal.workflow import Event, RehearsalFailed, Settings, WorkflowRun, base_env

ECHO_JOB = """
  a:
    runs-on: ubuntu-24.04
    outputs:
      x: ${{ steps.s.outputs.x }}
    steps:
      - id: s
        run: echo "x=from-a" >> "$GITHUB_OUTPUT"
"""


CALLED = """name: called
on:
  workflow_call:
    secrets:
      TOKEN:
        required: false
jobs:
  inner:
    runs-on: ubuntu-24.04
    steps:
      - run: test "${{ secrets.TOKEN }}" = k
"""


def rehearse(tmp_path: Path, jobs: str, called: str = CALLED) -> dict[str, dict[str, object]]:
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    (repo / ".github" / "workflows" / "called.yml").write_text(called)
    (repo / ".github" / "workflows" / "planted.yml").write_text(f"name: planted\non: push\njobs:{jobs}")
    if not (repo / ".git").is_dir():
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    run = Run(
        repo, "HEAD", "refs/heads/main", "HEAD", tmp_path / "artifacts", tmp_path / "att", "0.21.11", {}
    )
    settings = Settings({"KNOWN": "k"}, {}, base_env(tmp_path / "bin"), tmp_path / "jobs.log")
    return WorkflowRun(repo, "planted", run, Event("push"), settings).execute()


def test_a_job_output_reaches_the_job_that_needs_it(tmp_path: Path) -> None:
    results = rehearse(
        tmp_path,
        ECHO_JOB
        + """
  b:
    needs: a
    runs-on: ubuntu-24.04
    steps:
      - run: test "${{ needs.a.outputs.x }}" = from-a
""",
    )
    assert {name: result["result"] for name, result in results.items()} == {"a": "success", "b": "success"}


@pytest.mark.parametrize(
    ("read", "named"),
    [
        ("needs.a.outputs.y", "reads needs.a.outputs.y, which job 'a' never set"),
        ("needs.c.outputs.x", "reads needs.c.outputs.x but does not need that job"),
        ("secrets.MISSING", "reads secrets.MISSING, which is not set for this rehearsal"),
    ],
)
def test_reading_what_no_earlier_job_or_setting_provides_fails_named(
    tmp_path: Path, read: str, named: str
) -> None:
    jobs = (
        ECHO_JOB
        + f"""
  b:
    needs: a
    runs-on: ubuntu-24.04
    steps:
      - run: echo "${{{{ {read} }}}}"
"""
    )
    with pytest.raises(RehearsalFailed, match=named.replace("(", r"\(").replace(")", r"\)")):
        rehearse(tmp_path, jobs)


def test_an_action_without_a_stand_in_fails_naming_it(tmp_path: Path) -> None:
    jobs = """
  a:
    runs-on: ubuntu-24.04
    steps:
      - uses: some/unknown-action@0123456789abcdef0123456789abcdef01234567
"""
    with pytest.raises(RehearsalFailed, match=r"some/unknown-action.*has no stand-in"):
        rehearse(tmp_path, jobs)


def test_a_reusable_workflow_of_another_repository_is_refused(tmp_path: Path) -> None:
    jobs = """
  a:
    uses: octo/other/.github/workflows/ci.yml@0123456789abcdef0123456789abcdef01234567
"""
    with pytest.raises(RehearsalFailed, match=r"is not a reusable workflow of this repository"):
        rehearse(tmp_path, jobs)


def test_a_failing_step_names_workflow_job_step_and_its_last_output(tmp_path: Path) -> None:
    jobs = """
  a:
    runs-on: ubuntu-24.04
    steps:
      - name: Break
        run: echo "the last words"; exit 3
"""
    with pytest.raises(
        RehearsalFailed, match=r"planted.yml, job 'a', step 'Break': exit 3(.|\n)*the last words"
    ):
        rehearse(tmp_path, jobs)


def test_a_called_workflow_sees_only_the_secrets_its_caller_passes(tmp_path: Path) -> None:
    passes = """
  a:
    uses: $/.github/workflows/called.yml
    secrets:
      TOKEN: ${{ secrets.KNOWN }}
"""
    assert rehearse(tmp_path, passes)["a / inner"]["result"] == "success"
    forgets = """
  a:
    uses: $/.github/workflows/called.yml
"""
    with pytest.raises(RehearsalFailed, match=r"reads secrets\.TOKEN, which is not set"):
        rehearse(tmp_path / "again", forgets)


def test_a_push_reads_the_dispatch_inputs_as_null_and_a_dispatch_must_give_required_ones(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "both.yml").write_text(
        """name: both
on:
  push:
  workflow_dispatch:
    inputs:
      environment:
        type: string
        required: true
jobs:
  a:
    if: inputs.environment == 'prod' || github.event_name == 'push'
    runs-on: ubuntu-24.04
    steps:
      - run: "true"
"""
    )
    run = Run(
        repo, "HEAD", "refs/heads/main", "HEAD", tmp_path / "artifacts", tmp_path / "att", "0.21.11", {}
    )
    settings = Settings({}, {}, base_env(tmp_path / "bin"), tmp_path / "jobs.log")
    assert WorkflowRun(repo, "both", run, Event("push"), settings).execute()["a"]["result"] == "success"
    with pytest.raises(RehearsalFailed, match="required input 'environment' not given"):
        WorkflowRun(repo, "both", run, Event("workflow_dispatch"), settings).execute()


def test_steps_skipped_after_a_failure_are_not_evaluated(tmp_path: Path) -> None:
    jobs = """
  a:
    runs-on: ubuntu-24.04
    steps:
      - name: Break
        run: exit 4
      - id: never
        run: echo "x=1" >> "$GITHUB_OUTPUT"
      - name: Reads the skipped step
        env:
          X: ${{ steps.never.outputs.x }}
        run: echo "$X"
"""
    with pytest.raises(RehearsalFailed) as failed:
        rehearse(tmp_path, jobs)
    assert "step 'Break': exit 4" in str(failed.value)
    assert "never" not in str(failed.value)


def test_the_verdict_names_the_first_failing_step_not_the_failure_path_after_it(tmp_path: Path) -> None:
    """A deploy step fails, then the `if: failure()` evidence step fails too: the deploy is the cause."""
    jobs = """
  deploy:
    runs-on: ubuntu-24.04
    steps:
      - name: Deploy
        run: exit 3
      - name: Fetch the evidence
        if: failure()
        run: exit 4
"""
    with pytest.raises(RehearsalFailed) as failed:
        rehearse(tmp_path, jobs)
    verdict = str(failed.value)
    assert verdict.startswith("planted.yml, job 'deploy', step 'Deploy': exit 3"), verdict
    assert "these failed too: Fetch the evidence" in verdict


ACTION = """name: say
inputs:
  words:
    required: true
  loud:
    default: "no"
outputs:
  said:
    value: ${{ steps.say.outputs.said }}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      env:
        WORDS: ${{ inputs.words }}
        LOUD: ${{ inputs.loud }}
      run: echo "said=$WORDS/$LOUD/$FROM_JOB" >> "$GITHUB_OUTPUT"
"""


def _with_action(tmp_path: Path, steps: str, action: str = ACTION) -> str:
    """A job whose first step copies the planted repository's local action into its workspace (as a checkout
    would; the job's workspace is <tmp>/job-a-*/repo), then `steps`."""
    folder = tmp_path / "repo" / ".github" / "actions" / "say"
    folder.mkdir(parents=True)
    (folder / "action.yml").write_text(action)
    return f"""
  a:
    runs-on: ubuntu-24.04
    env:
      FROM_JOB: job-env
    outputs:
      said: ${{{{ steps.use.outputs.said }}}}
    steps:
      - name: Check out
        run: cp -r ../../repo/.github .
{steps}"""


def test_a_local_composite_action_runs_with_its_inputs_defaults_and_the_job_env(tmp_path: Path) -> None:
    jobs = _with_action(
        tmp_path,
        """      - id: use
        uses: ./.github/actions/say
        with:
          words: hello
""",
    )
    assert rehearse(tmp_path, jobs)["a"]["outputs"] == {"said": "hello/no/job-env"}


@pytest.mark.parametrize(
    ("with_block", "named"),
    [
        ("words: hi\n          lod: yes", r"has no input 'lod'; its inputs are"),
        ("loud: yes", r"required input 'words' is missing"),
    ],
)
def test_a_composite_action_refuses_an_unknown_or_missing_input(
    tmp_path: Path, with_block: str, named: str
) -> None:
    jobs = _with_action(
        tmp_path,
        f"""      - id: use
        uses: ./.github/actions/say
        with:
          {with_block}
""",
    )
    with pytest.raises(RehearsalFailed, match=named):
        rehearse(tmp_path, jobs)


def test_a_composite_run_step_without_a_shell_is_refused(tmp_path: Path) -> None:
    jobs = _with_action(
        tmp_path,
        """      - id: use
        uses: ./.github/actions/say
        with:
          words: hi
""",
        ACTION.replace("      shell: bash\n", ""),
    )
    with pytest.raises(RehearsalFailed, match=r"a composite `run` step needs `shell:`"):
        rehearse(tmp_path, jobs)


def test_a_local_action_before_the_checkout_is_refused_naming_the_checkout(tmp_path: Path) -> None:
    jobs = """
  a:
    runs-on: ubuntu-24.04
    steps:
      - uses: ./.github/actions/say
"""
    with pytest.raises(RehearsalFailed, match=r"did the job check out the repository"):
        rehearse(tmp_path, jobs)


def test_a_failed_job_is_recorded_and_the_jobs_after_it_still_run_as_on_github(tmp_path: Path) -> None:
    """A job that does not need the broken one, and an `always()` job that does, both run; the verdict
    still names the failure."""
    jobs = """
  broken:
    runs-on: ubuntu-24.04
    steps:
      - name: Break
        run: exit 5
  beside:
    runs-on: ubuntu-24.04
    steps:
      - run: touch "$HOME/beside-ran"
  after:
    needs: broken
    if: ${{ always() }}
    runs-on: ubuntu-24.04
    steps:
      - run: test "${{ needs.broken.result }}" = failure
"""
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "planted.yml").write_text(f"name: planted\non: push\njobs:{jobs}")
    run = Run(repo, "HEAD", "refs/heads/main", "HEAD", tmp_path / "a", tmp_path / "att", "0.21.11", {})
    settings = Settings({}, {}, base_env(tmp_path / "bin"), tmp_path / "jobs.log")
    expected = WorkflowRun(repo, "planted", run, Event("push"), settings, may_fail=frozenset({"broken"}))
    results = expected.execute()
    assert {job: result["result"] for job, result in results.items()} == {
        "broken": "failure",
        "beside": "success",
        "after": "success",
    }
    assert "step 'Break': exit 5" in str(results["broken"]["error"])
    with pytest.raises(RehearsalFailed, match=r"step 'Break': exit 5"):
        WorkflowRun(repo, "planted", run, Event("push"), settings).execute()


def test_a_step_that_may_continue_on_error_fails_alone(tmp_path: Path) -> None:
    jobs = """
  a:
    runs-on: ubuntu-24.04
    outputs:
      seen: ${{ steps.after.outputs.seen }}
    steps:
      - id: optional
        continue-on-error: true
        run: exit 2
      - id: after
        run: echo "seen=${{ steps.optional.outcome }}/${{ steps.optional.conclusion }}" >> "$GITHUB_OUTPUT"
"""
    assert rehearse(tmp_path, jobs)["a"]["outputs"] == {"seen": "failure/success"}


def test_a_self_repository_action_is_read_from_the_workflows_commit_without_a_checkout(
    tmp_path: Path,
) -> None:
    """`$/.github/actions/NAME` is the action at the commit the workflow runs from: no checkout needed; an
    edit not committed is not what runs."""
    repo = tmp_path / "repo"
    folder = repo / ".github" / "actions" / "say"
    folder.mkdir(parents=True)
    (folder / "action.yml").write_text(ACTION)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    identity = ["-c", "user.name=t", "-c", "user.email=t@localhost"]
    subprocess.run(["git", "-C", str(repo), *identity, "commit", "-qm", "action"], check=True)
    (folder / "action.yml").write_text(ACTION.replace("said=", "edited="))
    jobs = """
  a:
    runs-on: ubuntu-24.04
    env:
      FROM_JOB: job-env
    outputs:
      said: ${{ steps.use.outputs.said }}
    steps:
      - id: use
        uses: $/.github/actions/say
        with:
          words: committed
"""
    assert rehearse(tmp_path, jobs)["a"]["outputs"] == {"said": "committed/no/job-env"}


def test_a_matrix_job_runs_each_leg_with_its_values_and_folds_their_results(tmp_path: Path) -> None:
    """Without fail-fast every leg runs; the leg that fails fails the job `needs` reads, and a job after it
    with `always()` still runs."""
    jobs = """
  drift:
    runs-on: ubuntu-24.04
    strategy:
      fail-fast: false
      matrix:
        include:
          - env: dev
            environment: dev
          - env: prod
            environment: prod-plan
    environment: ${{ matrix.environment }}
    steps:
      - run: echo "${{ matrix.env }}" >> "$HOME/legs"; test "${{ matrix.env }}" != dev
  report:
    needs: drift
    if: ${{ always() }}
    runs-on: ubuntu-24.04
    steps:
      - run: test "${{ needs.drift.result }}" = failure
"""
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "planted.yml").write_text(f"name: planted\non: push\njobs:{jobs}")
    run = Run(repo, "HEAD", "refs/heads/main", "HEAD", tmp_path / "a", tmp_path / "att", "0.21.11", {})
    home = tmp_path / "home"
    home.mkdir()
    settings = Settings({}, {}, {**base_env(tmp_path / "bin"), "HOME": str(home)}, tmp_path / "jobs.log")
    results = WorkflowRun(
        repo, "planted", run, Event("push"), settings, may_fail=frozenset({"drift"})
    ).execute()
    assert {job: result["result"] for job, result in results.items()} == {
        "drift (dev, dev)": "failure",
        "drift (prod, prod-plan)": "success",
        "drift": "failure",
        "report": "success",
    }
    assert results["drift (prod, prod-plan)"]["environment"] == "prod-plan"
    assert (home / "legs").read_text().split() == ["dev", "prod"]


def test_a_fail_fast_matrix_cancels_the_legs_after_a_failure(tmp_path: Path) -> None:
    jobs = """
  a:
    runs-on: ubuntu-24.04
    strategy:
      matrix:
        n: [1, 2]
    steps:
      - run: exit 1
"""
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "planted.yml").write_text(f"name: planted\non: push\njobs:{jobs}")
    run = Run(repo, "HEAD", "refs/heads/main", "HEAD", tmp_path / "a", tmp_path / "att", "0.21.11", {})
    settings = Settings({}, {}, base_env(tmp_path / "bin"), tmp_path / "jobs.log")
    results = WorkflowRun(repo, "planted", run, Event("push"), settings, may_fail=frozenset({"a"})).execute()
    assert [results[job]["result"] for job in ("a (1)", "a (2)", "a")] == ["failure", "cancelled", "failure"]


GITHUB_DEFAULTS = {
    *("CI", "GITHUB_ACTION", "GITHUB_ACTION_PATH", "GITHUB_ACTION_REPOSITORY", "GITHUB_ACTIONS"),
    *("GITHUB_ACTOR", "GITHUB_ACTOR_ID", "GITHUB_API_URL", "GITHUB_BASE_REF", "GITHUB_ENV"),
    *("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_GRAPHQL_URL", "GITHUB_HEAD_REF", "GITHUB_JOB"),
    *("GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_REF", "GITHUB_REF_NAME", "GITHUB_REF_PROTECTED"),
    *("GITHUB_REF_TYPE", "GITHUB_REPOSITORY", "GITHUB_REPOSITORY_ID", "GITHUB_REPOSITORY_OWNER"),
    *("GITHUB_REPOSITORY_OWNER_ID", "GITHUB_RETENTION_DAYS", "GITHUB_RUN_ATTEMPT", "GITHUB_RUN_ID"),
    *("GITHUB_RUN_NUMBER", "GITHUB_SERVER_URL", "GITHUB_SHA", "GITHUB_STEP_SUMMARY"),
    *("GITHUB_TRIGGERING_ACTOR", "GITHUB_WORKFLOW", "GITHUB_WORKFLOW_REF", "GITHUB_WORKFLOW_SHA"),
    *("GITHUB_WORKSPACE", "RUNNER_ARCH", "RUNNER_DEBUG", "RUNNER_ENVIRONMENT", "RUNNER_NAME", "RUNNER_OS"),
    *("RUNNER_TEMP", "RUNNER_TOOL_CACHE"),
}
"""GitHub's default environment variables (docs.github.com, Actions "Variables reference")."""

PRINTS_DEFAULTS = """
  a:
    runs-on: ubuntu-24.04
    env:
      GITHUB_ACTOR: someone-else
    steps:
      - run: env | grep -E '^(GITHUB|RUNNER)_|^CI=' > "$RUNNER_TEMP/../../defaults-${{ github.run_id }}"
      - run: test "$GITHUB_ACTOR" = "${{ github.actor }}"
      - run: test "$GITHUB_REF_NAME" = "${{ github.ref_name }}"
"""


def _defaults_seen(tmp_path: Path) -> dict[str, str]:
    lines = (tmp_path / "defaults-4242").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_a_step_sees_the_runners_defaults_as_the_github_context_has_them_and_env_cannot_overwrite_them(
    tmp_path: Path,
) -> None:
    assert rehearse(tmp_path, PRINTS_DEFAULTS)["a"]["result"] == "success"
    seen = _defaults_seen(tmp_path)
    assert seen["GITHUB_ACTOR"] == "rehearsal-maintainer"
    assert seen["GITHUB_WORKFLOW_REF"] == "careervp/careervp/.github/workflows/planted.yml@refs/heads/main"
    assert seen["GITHUB_EVENT_NAME"] == "push" and seen["GITHUB_JOB"] == "a"
    assert Path(seen["RUNNER_TEMP"]).is_dir() and seen["RUNNER_TEMP"] != seen["GITHUB_WORKSPACE"]
    assert set(seen) <= GITHUB_DEFAULTS


def test_a_called_workflows_steps_name_the_callers_file_as_their_workflow_ref(tmp_path: Path) -> None:
    calls = """
  a:
    uses: $/.github/workflows/called.yml
    secrets:
      TOKEN: ${{ secrets.KNOWN }}
"""
    called = CALLED + '      - run: echo "$GITHUB_WORKFLOW_REF" > "$RUNNER_TEMP/../../workflow-ref"\n'
    assert rehearse(tmp_path, calls, called)["a / inner"]["result"] == "success"
    assert (tmp_path / "workflow-ref").read_text().strip().endswith("/workflows/planted.yml@refs/heads/main")


def test_every_runner_default_the_pipeline_reads_is_one_the_rehearsal_sets() -> None:
    root = Path(__file__).parents[2]
    texts = [path.read_text() for path in (root / "ci" / "src").rglob("*.py")]
    texts += [path.read_text() for path in (root / ".github").rglob("*.yml")]
    read = {name for text in texts for name in re.findall(r"\b(?:GITHUB|RUNNER)_[A-Z_]+\b|\bCI\b", text)}
    per_step = {"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY"}
    set_here = set(default_variables(dict.fromkeys(FROM_CONTEXT, ""), job="", workspace=root, temp=root))
    assert "GITHUB_ACTOR" in read
    assert (read & GITHUB_DEFAULTS) - per_step <= set_here
