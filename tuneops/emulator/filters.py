"""The AIP-160 filter subset that clients of tuningJobs.list use.

Supported: `labels.KEY = "v"` (also `!=` and `:`), `labels.KEY:*` and
`labels:KEY` (presence), `state = JOB_STATE_X` (also `!=`), `create_time` with
`= != < <= > >=` against an RFC 3339 timestamp, combined with `AND`, `OR`,
`NOT` / `-` and parentheses. As in AIP-160, `OR` binds tighter than `AND`.
Anything else is a 400 INVALID_ARGUMENT rather than a silently wrong answer.

A filter is bounded before it is parsed: at most `MAX_FILTER_LENGTH` characters
and `MAX_FILTER_DEPTH` nested parentheses, so that no request can exhaust the
recursive parser (a RecursionError was a 500).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tuneops.emulator.clock import parse_time
from tuneops.emulator.errors import ApiError, invalid
from tuneops.emulator.schemas import JOB_STATES


@dataclass(frozen=True, slots=True)
class JobFacts:
    """What a filter can see of a job."""

    labels: Mapping[str, str]
    state: str
    create_us: int


Predicate = Callable[[JobFacts], bool]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<paren>[()])
    | (?P<op><=|>=|!=|=|<|>|:)
    | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<word>[^\s()"'=<>!:]+)
    )""",
    re.VERBOSE,
)
_KEYWORDS = ("AND", "OR", "NOT")
MAX_FILTER_LENGTH = 4096
MAX_FILTER_DEPTH = 32


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # paren, op, string, word, keyword
    text: str


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _error(text, f"unexpected character {text[position:].strip()[0]!r}")
        kind = match.lastgroup or "word"
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif kind == "word" and value in _KEYWORDS:
            kind = "keyword"
        tokens.append(_Token(kind, value))
        position = match.end()
    return tokens


def _error(text: str, reason: str) -> ApiError:
    return invalid(f'Invalid filter "{text}": {reason}.')


def compile_filter(text: str) -> Predicate:
    """A predicate for `text`; the empty filter matches everything."""
    if not text.strip():
        return lambda facts: True
    if len(text) > MAX_FILTER_LENGTH:
        # The filter is not quoted back: it is the long thing.
        raise invalid(
            f"Invalid filter: {len(text)} characters; at most {MAX_FILTER_LENGTH} are accepted."
        )
    parser = _Parser(text, _tokenize(text))
    predicate = parser.expression()
    if parser.peek() is not None:
        raise _error(text, f"unexpected {parser.peek_text()!r}")
    return predicate


class _Parser:
    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def peek_text(self) -> str:
        token = self.peek()
        return "end of filter" if token is None else token.text

    def next(self) -> _Token:
        token = self.peek()
        if token is None:
            raise _error(self.text, "unexpected end of filter")
        self.index += 1
        return token

    def accept(self, kind: str, text: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == kind and token.text == text:
            self.index += 1
            return True
        return False

    def expression(self) -> Predicate:
        parts = [self.sequence()]
        while self.accept("keyword", "AND"):
            parts.append(self.sequence())
        return parts[0] if len(parts) == 1 else lambda f: all(p(f) for p in parts)

    def sequence(self) -> Predicate:
        factor = self.factor()
        token = self.peek()
        if token is not None and (token.kind, token.text) not in (
            ("keyword", "AND"),
            ("paren", ")"),
        ):
            raise _error(self.text, f"expected AND, OR or the end before {token.text!r}")
        return factor

    def factor(self) -> Predicate:
        terms = [self.term()]
        while self.accept("keyword", "OR"):
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else lambda f: any(t(f) for t in terms)

    def term(self) -> Predicate:
        if self.accept("keyword", "NOT"):
            inner = self.simple()
            return lambda f: not inner(f)
        token = self.peek()
        if token is not None and token.kind == "word" and token.text.startswith("-"):
            rest = token.text[1:]
            if rest:
                self.tokens[self.index] = _Token("word", rest)
            else:
                self.index += 1  # a lone "-" before a parenthesised group
            inner = self.simple()
            return lambda f: not inner(f)
        return self.simple()

    def simple(self) -> Predicate:
        if self.accept("paren", "("):
            self.depth += 1
            if self.depth > MAX_FILTER_DEPTH:
                raise invalid(
                    f"Invalid filter: parentheses nest deeper than {MAX_FILTER_DEPTH} levels."
                )
            inner = self.expression()
            self.depth -= 1
            if not self.accept("paren", ")"):
                raise _error(self.text, f"expected ')' before {self.peek_text()!r}")
            return inner
        field = self.next()
        if field.kind != "word":
            raise _error(self.text, f"expected a field name, got {field.text!r}")
        operator = self.peek()
        if operator is None or operator.kind != "op":
            # A bare value would be a global text search, which tuningJobs does not offer.
            raise _error(self.text, f"expected a comparison after {field.text!r}")
        self.index += 1
        value = self.next()
        if value.kind not in ("word", "string"):
            raise _error(self.text, f"expected a value after {field.text}{operator.text}")
        return self.restriction(field.text, operator.text, value)

    def restriction(self, field: str, op: str, value: _Token) -> Predicate:
        if field.startswith("labels."):
            return self.label(field.removeprefix("labels."), op, value)
        if field == "labels" and op == ":":
            key = value.text
            return lambda f: key in f.labels
        if field == "state":
            return self.state(op, value.text)
        if field in ("create_time", "createTime"):
            return self.create_time(op, value.text)
        raise _error(
            self.text,
            f"field {field!r} is not supported (use labels.KEY, state or create_time)",
        )

    def label(self, key: str, op: str, value: _Token) -> Predicate:
        if not key:
            raise _error(self.text, "a label filter needs a key: labels.KEY")
        text = value.text
        if op == ":" and text == "*" and value.kind == "word":
            return lambda f: key in f.labels
        if op in ("=", ":"):
            return lambda f: f.labels.get(key) == text
        if op == "!=":
            return lambda f: f.labels.get(key) != text
        raise _error(self.text, f"labels support =, != and :, not {op}")

    def state(self, op: str, text: str) -> Predicate:
        if text not in JOB_STATES:
            raise _error(self.text, f"{text!r} is not a job state")
        if op == "=":
            return lambda f: f.state == text
        if op == "!=":
            return lambda f: f.state != text
        raise _error(self.text, f"state supports = and !=, not {op}")

    def create_time(self, op: str, text: str) -> Predicate:
        moment = parse_time(text)
        if moment is None:
            raise _error(self.text, f"{text!r} is not an RFC 3339 timestamp")
        compare: dict[str, Callable[[int], bool]] = {
            "=": lambda t: t == moment,
            "!=": lambda t: t != moment,
            "<": lambda t: t < moment,
            "<=": lambda t: t <= moment,
            ">": lambda t: t > moment,
            ">=": lambda t: t >= moment,
        }
        if op not in compare:
            raise _error(self.text, f"create_time supports = != < <= > >=, not {op}")
        check = compare[op]
        return lambda f: check(f.create_us)
