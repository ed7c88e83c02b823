"""GitHub Actions expressions (`${{ ... }}` and `if:`), evaluated the way the runner evaluates them.

Supported: literals, context paths (`needs.build.outputs.artifact`,
`github.event.pull_request.head.repo.fork`), `!`, `==`, `!=`, `&&`, `||` (which return an operand, as in the
runner), parentheses, and the status functions `success()`, `failure()`, `always()`, `cancelled()`, plus
`contains`, `startsWith`, `endsWith`. Strings compare case-insensitively, as on GitHub. Anything else is an
error naming the expression: a rehearsal never guesses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||[!().,\[\]])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)
EMBEDDED = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


class ExpressionError(Exception):
    """The expression is malformed or reads something the rehearsal refuses to guess."""


@dataclass(frozen=True)
class Status:
    """The job's state for the status functions."""

    failed: bool
    cancelled: bool = False
    incomplete: bool = False
    """A needed job did not succeed (skipped, say): `success()` is false, `failure()` need not be."""


Lookup = Callable[[Sequence[str]], Any]


def truthy(value: Any) -> bool:
    return value not in (False, 0, "", None)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if isinstance(left, bool) or isinstance(right, bool):
        return (
            truthy(left) == truthy(right)
            if {type(left), type(right)} <= {bool}
            else (_as_text(left).lower() == _as_text(right).lower())
        )
    return bool(left == right)


class _Parser:
    def __init__(self, text: str, lookup: Lookup, status: Status) -> None:
        self.text, self.lookup, self.status = text, lookup, status
        self.tokens = self._tokenize(text)
        self.at = 0
        self.skipping = 0
        """Above zero while parsing an operand that `&&`/`||` short-circuits: it is read, never looked up."""

    def _tokenize(self, text: str) -> list[tuple[str, str]]:
        tokens, index = [], 0
        while index < len(text):
            if text[index:].strip() == "":
                break
            match = TOKEN.match(text, index)
            if match is None:
                raise ExpressionError(f"cannot read expression {text!r} at {text[index:]!r}")
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            index = match.end()
        return tokens

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (expected is not None and token[1] != expected):
            raise ExpressionError(f"expression {self.text!r}: expected {expected or 'more'}, got {token}")
        self.at += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"expression {self.text!r}: unexpected {self.peek()}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self._operand(self.and_, skip=truthy(value))
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.compare()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self._operand(self.compare, skip=not truthy(value))
            value = right if truthy(value) else value
        return value

    def _operand(self, parse: Callable[[], Any], *, skip: bool) -> Any:
        self.skipping += skip
        try:
            return parse()
        finally:
            self.skipping -= skip

    def compare(self) -> Any:
        value = self.unary()
        while self.peek() in (("op", "=="), ("op", "!=")):
            _, op = self.take()
            right = self.unary()
            value = _equal(value, right) if op == "==" else not _equal(value, right)
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if text == "(":
            value = self.or_()
            self.take(")")
            return value
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return float(text) if "." in text else int(text)
        if kind != "name":
            raise ExpressionError(f"expression {self.text!r}: unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self.peek() == ("op", "("):
            return self.call(text)
        path = [text]
        while self.peek() in (("op", "."), ("op", "[")):
            _, op = self.take()
            if op == ".":
                path.append(self.take()[1])
            else:
                path.append(_as_text(self.or_()))
                self.take("]")
        return None if self.skipping else self.lookup(path)

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ("op", ")"):
            args.append(self.or_())
            if self.peek() == ("op", ","):
                self.take()
        self.take(")")
        status = {
            "success": not (self.status.failed or self.status.cancelled or self.status.incomplete),
            "failure": self.status.failed,
            "always": True,
            "cancelled": self.status.cancelled,
        }
        if name in status and not args:
            return status[name]
        text_functions: dict[str, Callable[[str, str], bool]] = {
            "contains": lambda a, b: b.lower() in a.lower(),
            "startsWith": lambda a, b: a.lower().startswith(b.lower()),
            "endsWith": lambda a, b: a.lower().endswith(b.lower()),
        }
        if name in text_functions and len(args) == 2:
            return text_functions[name](_as_text(args[0]), _as_text(args[1]))
        raise ExpressionError(f"expression {self.text!r}: function {name}() is not rehearsed")


def evaluate(expression: str, lookup: Lookup, status: Status = Status(failed=False)) -> Any:
    """The value of one expression (without the `${{ }}`)."""
    return _Parser(expression, lookup, status).parse()


def uses_status_function(expression: str) -> bool:
    return re.search(r"\b(success|failure|always|cancelled)\(\)", expression) is not None


def condition(text: Any, lookup: Lookup, status: Status) -> bool:
    """An `if:`, bare or in `${{ }}`; without a status function, `success() &&` is implied."""
    if isinstance(text, bool):
        return text and not status.failed
    expression = str(text).strip()
    inner = EMBEDDED.fullmatch(expression)
    expression = inner.group(1) if inner else expression
    if not uses_status_function(expression):
        expression = f"success() && ({expression})"
    return truthy(evaluate(expression, lookup, status))


def text_of(value: Any, lookup: Lookup) -> str:
    """A value where the runner wants text (env, outputs, secrets passed on): `${{ }}` replaced, booleans
    written `true`/`false` and null as empty, as GitHub writes them."""
    return _as_text(interpolate(value, lookup))


def interpolate(text: Any, lookup: Lookup) -> Any:
    """Replace every `${{ }}` in a string; a value that is one whole expression keeps its type."""
    if not isinstance(text, str):
        return text
    whole = EMBEDDED.fullmatch(text.strip())
    if whole:
        return evaluate(whole.group(1), lookup)
    return EMBEDDED.sub(lambda m: _as_text(evaluate(m.group(1), lookup)), text)
