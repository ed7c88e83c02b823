"""What one process reads of the tree, seen through Python's audit hooks (PEP 578); the standard library only,
because every Python process a recorded test starts loads it (`child_reads/sitecustomize.py`).

An `open` of a file under the tree is a read (a `__pycache__` .pyc is a read of its source). A process
started from here is either traced (a Python process that inherits the record: its own hook appends to the
same log) or confined (any other program whose working folder and arguments stay outside the tree, such as
`git -C <tmp folder>`); any other start makes the record opaque, with the reason: the recorded test then
always runs. What no hook sees: a program outside the record reading a tree path named only in its
environment, a file only listed or stat'ed, and a process still running after its test ended.

Records nest: a recorded test may run another recorded suite (the pipeline testing its own selection). The
inner record names its own tree and log and carries the enclosing ones (`OUTER_ENV`), so each of its
processes also records into every enclosing record, by that record's tree, and a start stays traced for
each record it reaches.
"""

# ruff: noqa: PTH100, PTH109, PTH117, PTH118, PTH119, PTH120, PTH123
# os.path, not pathlib: this runs in every Python process a recorded test starts, before its own code.

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping

LOG_ENV = "CAREERVP_READS_LOG"
"""The log a Python process appends its reads to (one file per process: `<log>.<pid>`)."""
ROOT_ENV = "CAREERVP_READS_ROOT"
"""The tree whose files count as reads."""
OUTER_ENV = "CAREERVP_READS_OUTER"
"""The records enclosing this one, innermost first: a JSON list of [tree, log] pairs."""
OUT_OPTION = "--reads-out"
"""The tracker's option naming the folder it writes its records to."""
HOOK_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child_reads")
"""On PYTHONPATH, it makes every Python process started with the record's variables record too."""
UNTRACKED = frozenset(
    {".git", ".venv", ".tools", "node_modules", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
)
"""Top-level folders of the tree that are tools and caches, not inputs."""
FOLDER_BLIND = frozenset({"uname"})
"""Programs that read no file of their working folder (`platform` runs `uname -p` wherever it is)."""
SPAWNS = frozenset({"subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.system"})
READ_LINE, OPAQUE_LINE = "R ", "O "


class Reads:
    """The tree paths one process read and why, if anything, its record cannot be trusted."""

    def __init__(self, root: str, log: str | None, sink: Callable[[str], None]) -> None:
        self.root = os.path.normpath(root)
        self.prefixes = tuple({self.root + os.sep, os.path.realpath(self.root) + os.sep})
        self.log = log
        self.sink = sink
        """Receives each new line ("R path" or "O reason")."""
        self.seen: set[str] = set()
        self._busy = False

    def event(self, name: str, args: tuple[object, ...]) -> None:
        if self._busy or (name != "open" and name not in SPAWNS):
            return
        self._busy = True  # the hook's own opens (reading a script's first line) are not the process's
        try:
            if name == "open":
                self.opened(args[0])
            elif reason := self.spawn_reason(name, args):
                self.sink(OPAQUE_LINE + reason)
        finally:
            self._busy = False

    def opened(self, path: object) -> None:
        if isinstance(path, int) or not isinstance(path, str | bytes | os.PathLike):
            return
        text = os.fsdecode(path)
        if not os.path.isabs(text):
            text = os.path.join(os.getcwd(), text)
        relative = self.relative(text)
        if relative is not None and relative not in self.seen:
            self.seen.add(relative)
            self.sink(READ_LINE + relative)

    def relative(self, absolute: str) -> str | None:
        """`absolute` as a tree path (a .pyc as its source), or None outside the tree or in tool folders."""
        prefix = next((p for p in self.prefixes if absolute.startswith(p)), None)
        if prefix is None:
            return None
        relative = os.path.normpath(absolute[len(prefix) :]).replace(os.sep, "/")
        if relative.split("/", 1)[0] in UNTRACKED or relative.startswith(".."):
            return None
        folder, _, name = relative.rpartition("/")
        if folder.endswith("__pycache__") and name.endswith(".pyc"):
            package = folder.removesuffix("__pycache__").rstrip("/")
            return f"{package}/{name.split('.', 1)[0]}.py".lstrip("/")
        return relative

    def spawn_reason(self, name: str, args: tuple[object, ...]) -> str | None:
        """Why a process started from here escapes the record (None: traced or confined)."""
        if name == "os.system":
            return f"a shell command: {_short(os.fsdecode(args[0]))}"  # type: ignore[arg-type]
        if name == "subprocess.Popen":
            executable, argv, cwd, env = args
        elif name == "os.spawn":
            _, executable, argv, env = args
            cwd = None
        else:  # os.exec, os.posix_spawn
            executable, argv, env = args
            cwd = None
        listed: Iterable[str | bytes] = [argv] if isinstance(argv, str | bytes) else argv  # type: ignore[assignment]
        words = [os.fsdecode(w) for w in listed]
        environment = os.environ if env is None else _decoded(env)  # type: ignore[arg-type]
        program = os.fsdecode(executable) if executable else (words[0] if words else "")  # type: ignore[arg-type]
        found = shutil.which(program, path=environment.get("PATH")) or program
        shown = _short(" ".join(words) or program)
        if _is_python(found):
            if not self.log or (self.root, self.log) not in records(environment):
                return f"a Python process outside the record: {shown}"
            if not any(_is_hook_dir(entry) for entry in environment.get("PYTHONPATH", "").split(os.pathsep)):
                return f"a Python process without the record's hook on PYTHONPATH: {shown}"
            if any(w.startswith("-") and set(w[1:]) & set("IES") for w in words[1:2]):
                return f"a Python process that skips site or PYTHONPATH: {shown}"
            return None
        if os.path.basename(found) in FOLDER_BLIND or _is_browser_driver(found, words):
            return None
        workdir = os.fsdecode(cwd) if cwd else os.getcwd()  # type: ignore[arg-type]
        if os.path.basename(found) == "git" and len(words) > 2 and words[1] == "-C":
            workdir = os.path.join(workdir, words[2])
        in_tree = self._names_tree(workdir, "/")  # the working folder itself
        if in_tree or any(self._names_tree(word, workdir) for word in words):
            return f"{os.path.basename(found)} on the tree: {shown}"
        return None

    def _names_tree(self, word: str, workdir: str) -> bool:
        """Whether an argument names a tree path other than a tool folder: absolute, or relative to a working
        folder in the tree (`--src=/tree` and `a:b` lists are split)."""
        for part in word.replace("=", "\0").replace(":", "\0").replace(",", "\0").split("\0"):
            path = os.path.normpath(os.path.join(workdir, part))
            # a path in the tree, or the tree's root or a folder in it (a file inside would be in the tree)
            if part and (self.relative(path) or self.relative(os.path.join(path, "x"))):
                return True
        return False


def _is_hook_dir(entry: str) -> bool:
    """A hook folder of any copy of this code (a tree's own, or the installed pipeline's: `--src` runs one
    pipeline over another checkout, whose pytest may load either)."""
    return os.path.normpath(entry).endswith(os.path.join("careervp_ci", "pipeline", "changes", "child_reads"))


def _is_browser_driver(program: str, words: list[str]) -> bool:
    """Playwright's driver (`.../playwright/driver/node .../cli.js run-driver`, started by `sync_playwright`).
    It and the browsers it starts read what the test sends over the driver's pipe (here, pages over HTTP),
    not files of their working folder: a tree file it is told to open by path (a file:// page, an upload)
    is not seen, and no test of this project does that."""
    return program.endswith(os.path.join("playwright", "driver", "node")) and words[-1:] == ["run-driver"]


def _decoded(env: Mapping[str | bytes, str | bytes]) -> dict[str, str]:
    return {os.fsdecode(k): os.fsdecode(v) for k, v in env.items()}


def _short(text: str) -> str:
    return text if len(text) <= 160 else text[:157] + "..."


def _is_python(path: str) -> bool:
    """A Python interpreter, or a script whose first line runs one (a console script of the venv)."""
    if os.path.basename(path).startswith("python"):
        return True
    try:
        with open(path, "rb") as stream:
            first = stream.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


def parse(lines: Iterable[str]) -> tuple[set[str], list[str]]:
    """(paths read, reasons the record is opaque) from a log's lines."""
    read: set[str] = set()
    opaque: list[str] = []
    for line in lines:
        if line.startswith(READ_LINE):
            read.add(line[len(READ_LINE) :].rstrip("\n"))
        elif line.startswith(OPAQUE_LINE):
            opaque.append(line[len(OPAQUE_LINE) :].rstrip("\n"))
    return read, opaque


def records(environment: Mapping[str, str]) -> list[tuple[str, str]]:
    """The (tree, log) of every record a process with `environment` belongs to: its own, then those
    enclosing it (a pair without a log is not recording yet)."""
    own = [(environment.get(ROOT_ENV, ""), environment.get(LOG_ENV, ""))]
    outer = [(str(root), str(log)) for root, log in json.loads(environment.get(OUTER_ENV) or "[]")]
    return [(os.path.normpath(root), log) for root, log in [*own, *outer] if root and log]


def nested_env(root: str) -> dict[str, str]:
    """The variables that start a record of `root` (its tracker sets the log) inside whatever record this
    process belongs to, which keeps recording the new record's processes."""
    enclosing = [list(pair) for pair in records(os.environ)]
    return {ROOT_ENV: root, LOG_ENV: "", OUTER_ENV: json.dumps(enclosing), "PYTHONPATH": HOOK_DIR}


def install_child() -> None:
    """In a process started with a record's variables: append its reads to `<log>.<pid>` of that record
    and of every record enclosing it."""
    for root, log in records(os.environ):
        sys.addaudithook(Reads(root, log, _appender(f"{log}.{os.getpid()}")).event)


def _appender(path: str) -> Callable[[str], None]:
    stream = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115

    def write(line: str) -> None:
        stream.write(line + "\n")

    return write
