"""A FAKE of Meilisearch v1.x's HTTP API, for tests. This is not Meilisearch.

No Meilisearch server can be installed where Haat's tests run, so this module answers
the few HTTP endpoints that ``plugins/search/meili.py`` uses through the official
``meilisearch`` Python client, the way Meilisearch's documentation says they behave. It
speaks the same JSON (``/version`` answers like a Meilisearch would, so the client is
none the wiser), but its search engine is a toy: use it to test an adapter's requests,
filters, isolation and failure handling, never relevance.

What it keeps from Meilisearch
------------------------------
* API keys through ``Authorization: Bearer``: a master key (everything), a default admin
  key (``*`` actions) and a default search key (``search`` only). Missing header: 401
  ``missing_authorization_header``; unknown key or missing permission: 403
  ``invalid_api_key``. Tenant tokens (HS256 JWTs signed with a key that may search,
  ``apiKeyUid``, ``searchRules``, ``exp``) are verified and their filter is ANDed with
  every search made with them. ``/health`` needs no key.
* Asynchronous tasks: every write answers 202 with a ``taskUid``; one worker thread
  processes tasks in enqueue order (``enqueued`` -> ``processing`` -> ``succeeded`` or
  ``failed`` with an ``error`` object). ``GET /tasks/{uid}`` and ``GET /tasks`` (filters
  ``indexUids``, ``types``, ``statuses``, ``limit``, ``from``) report them.
  :meth:`FakeMeilisearch.pause_tasks` holds the queue so tests can watch ``enqueued``.
* Indexes: ``GET``/``DELETE /indexes/{uid}``, ``POST /indexes``; adding documents or updating
  settings creates a missing index, as Meilisearch does. Primary key: the ``primaryKey``
  parameter, else inferred (one attribute ending in ``id``; several candidates fail the
  task). Document ids must be integers or ``[A-Za-z0-9_-]`` strings.
* Documents: ``POST /indexes/{uid}/documents`` (add or replace whole documents),
  ``POST .../documents/delete`` (by filter), ``POST .../documents/delete-batch`` (by
  ids), ``DELETE .../documents`` (all), ``GET .../documents/{id}``.
* Settings: ``GET``/``PATCH /indexes/{uid}/settings`` with Meilisearch's defaults,
  partial updates of nested objects, ``null`` resets, and 400 errors for unknown fields
  or invalid ranking rules. Filterable and sortable attributes come back sorted.
* Search (``POST /indexes/{uid}/search`` and ``POST /multi-search`` without federation):
  ``q``, ``filter`` (string or array form), ``facets`` -> ``facetDistribution`` and
  ``facetStats`` (``faceting.maxValuesPerFacet`` and ``sortFacetValuesBy``), ``sort``
  (only on sortable attributes, and only if ``sort`` is a ranking rule),
  ``page``/``hitsPerPage`` -> ``totalHits``/``totalPages`` (capped by
  ``pagination.maxTotalHits``) or ``offset``/``limit`` -> ``estimatedTotalHits``,
  ``attributesToRetrieve``, ``attributesToHighlight`` with ``highlightPreTag``/
  ``highlightPostTag``, ``attributesToCrop``/``cropLength``/``cropMarker`` -> ``_formatted``
  (which, like Meilisearch, holds retrieved + highlighted + cropped attributes, numbers as
  strings, and escapes nothing), ``matchingStrategy`` ``all``/``last``.
* Filters: the grammar of Meilisearch's filter parser for ``=``, ``!=``, ``>``, ``>=``,
  ``<``, ``<=``, ``IN [...]``, ``NOT IN [...]``, ``a TO b``, ``EXISTS``, ``NOT EXISTS``,
  ``AND``, ``OR``, ``NOT`` and parentheses; words, and single- or double-quoted strings in
  which ``\\"``, ``\\'``, ``\\\\``, ``\\n``, ``\\t``, ``\\r``, ``\\u{...}`` are unescaped.
  String equality ignores case; ``!=`` also selects documents without the attribute;
  comparisons need numbers. Malformed filters and non-filterable attributes get 400
  ``invalid_search_filter`` (``invalid_document_filter`` for deletions) in Meilisearch's
  error format: ``{"message", "code", "type", "link"}``.

Where it stops (limits)
-----------------------
* Matching is tokenised (letters, marks and digits; case folded), with the last query
  word a prefix unless the query ends with a space, and typo tolerance by
  Damerau-Levenshtein distance following ``typoTolerance`` (``minWordSizeForTypos``, a
  typo on the first letter counts double, ``disableOnAttributes``/``disableOnWords``).
  No phrase search (``"..."``), negative words, stop words, synonyms, separators,
  dictionaries, language detection or word splitting/joining.
* Ranking applies ``words``, ``typo``, ``attribute``/``attributeRank``, ``wordPosition``,
  ``exactness``, ``sort`` and custom ``attr:asc|desc`` rules in order; ``proximity`` is
  accepted but ranks nothing. Ties keep insertion order. Scores are not computed.
* Cropping takes a window around the first match (no best-window search).
* Not implemented (400 ``bad_request`` naming the fake): ``showMatchesPosition``,
  ranking scores, ``attributesToSearchOn``, ``distinct``, vectors/hybrid, federation,
  geo filters, ``IS NULL``/``IS EMPTY``/``CONTAINS``/``STARTS WITH``, granular filterable
  attribute objects. No dumps, snapshots, stats, swaps, key management, task
  cancellation/deletion, GET search, CSV/NDJSON payloads or partial document updates.
* One process, memory only, no persistence; everything is lost on :meth:`stop`.

Simulating failures
-------------------
:meth:`FakeMeilisearch.go_down` stops accepting connections (clients get "connection
refused") and :meth:`FakeMeilisearch.come_back` listens again on the same port with the
same data. :meth:`FakeMeilisearch.hang` makes requests wait without answering (clients
time out) until :meth:`FakeMeilisearch.release`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import json
import math
import re
import secrets
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .http import LocalServer

FAKE_VERSION = "1.12.0"
DOCS = "https://docs.meilisearch.com/errors#"


# --------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An error answer in Meilisearch's format."""

    def __init__(self, status: int, code: str, message: str,
                 error_type: str = "invalid_request") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.error_type = error_type

    def body(self) -> dict[str, Any]:
        return {"message": self.message, "code": self.code, "type": self.error_type,
                "link": DOCS + self.code}


class TaskError(Exception):
    """Makes the task being processed fail with this error."""

    def __init__(self, code: str, message: str, error_type: str = "invalid_request") -> None:
        super().__init__(message)
        self.error = {"message": message, "code": code, "type": error_type,
                      "link": DOCS + code}


class FilterError(Exception):
    """A filter that does not parse or names a non-filterable attribute."""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _unsupported(what: str) -> ApiError:
    return ApiError(400, "bad_request",
                    f"{what} is not supported by this Meilisearch fake (tests/fakes).")


# --------------------------------------------------------------------------- text


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


@dataclass(frozen=True)
class Token:
    text: str  # case-folded
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Words of ``text`` (runs of letters, marks and digits), case-folded."""
    tokens: list[Token] = []
    start = None
    for i, char in enumerate(text):
        if _is_word_char(char):
            if start is None:
                start = i
        elif start is not None:
            tokens.append(Token(text[start:i].casefold(), start, i))
            start = None
    if start is not None:
        tokens.append(Token(text[start:].casefold(), start, len(text)))
    return tokens


def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _typos(word: str, token: str, budget: int) -> int | None:
    if budget <= 0 or abs(len(word) - len(token)) > budget:
        return None
    distance = _osa(word, token) + (1 if word[:1] != token[:1] else 0)
    return distance if distance <= budget else None


@dataclass(frozen=True)
class WordMatch:
    typos: int
    exact: bool
    length: int  # matched characters of the token (a prefix match highlights less)


def match_word(word: str, token: str, *, prefix: bool, budget: int) -> WordMatch | None:
    if token == word:
        return WordMatch(0, True, len(token))
    if prefix and token.startswith(word):
        return WordMatch(0, False, len(word))
    typos = _typos(word, token, budget)
    if typos is not None:
        return WordMatch(typos, False, len(token))
    if prefix and len(token) > len(word):
        typos = _typos(word, token[:len(word)], budget)
        if typos is not None:
            return WordMatch(typos, False, len(word))
    return None


# --------------------------------------------------------------------------- filters

_KEYWORDS = {"AND", "OR", "IN", "NOT", "TO", "EXISTS", "IS", "NULL", "EMPTY", "CONTAINS",
             "STARTS", "WITH", "_geoRadius", "_geoBoundingBox"}
_OPERATORS = ("!=", ">=", "<=", "=", ">", "<")
_SIMPLE_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "r": "\r",
                   "0": "\0", "/": "/", "b": "\b", "f": "\f"}
_EXPECTING_OPERATION = (
    "Was expecting an operation `=`, `!=`, `>=`, `>`, `<=`, `<`, `IN`, `NOT IN`, `TO`, "
    "`EXISTS`, `NOT EXISTS`, `IS NULL`, `IS NOT NULL`, `IS EMPTY`, `IS NOT EMPTY`, "
    "`CONTAINS`, `NOT CONTAINS`, `STARTS WITH`, `NOT STARTS WITH`, `_geoRadius`, "
    "`_geoBoundingBox` or `_geoPolygon`")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Lexeme:
    kind: str  # word, string, op, ( ) [ ] ,
    text: str
    start: int
    end: int


def _unescape(raw: str, source: str, start: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        following = raw[i + 1] if i + 1 < len(raw) else ""
        if following in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[following])
            i += 2
        elif following == "u":
            braced = re.match(r"\{([0-9a-fA-F]{1,6})\}", raw[i + 2:])
            plain = re.match(r"[0-9a-fA-F]{4}", raw[i + 2:])
            if braced:
                out.append(chr(int(braced[1], 16)))
                i += 2 + braced.end()
            elif plain:
                out.append(chr(int(plain[0], 16)))
                i += 6
            else:
                raise FilterError(f"Malformed escape sequence in `{raw}`.\n"
                                  f"{start + i + 1}:{start + i + 3} {source}")
        else:
            raise FilterError(f"Malformed escape sequence `\\{following}` in `{raw}`.\n"
                              f"{start + i + 1}:{start + i + 3} {source}")
    return "".join(out)


def lex_filter(source: str) -> list[Lexeme]:
    lexemes: list[Lexeme] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char.isspace():
            i += 1
        elif char in "()[],":
            lexemes.append(Lexeme(char, char, i, i + 1))
            i += 1
        elif char in "!=<>":
            for op in _OPERATORS:
                if source.startswith(op, i):
                    lexemes.append(Lexeme("op", op, i, i + len(op)))
                    i += len(op)
                    break
            else:
                raise FilterError(f"{_EXPECTING_OPERATION} at `{source[i:]}`.\n"
                                  f"{i + 1}:{len(source) + 1} {source}")
        elif char in "'\"":
            j = i + 1
            while j < len(source) and source[j] != char:
                j += 2 if source[j] == "\\" else 1
            if j >= len(source):
                raise FilterError(f"Expression `{source[i:]}` is missing the following "
                                  f"closing delimiter: `{char}`.\n"
                                  f"{i + 1}:{len(source) + 1} {source}")
            lexemes.append(Lexeme("string", _unescape(source[i + 1:j], source, i + 1),
                                  i, j + 1))
            i = j + 1
        else:
            j = i
            while j < len(source) and (source[j].isalnum() or source[j] in "_-."):
                j += 1
            if j == i:
                raise FilterError(f"Was expecting a value but instead got `{source[i:]}`.\n"
                                  f"{i + 1}:{len(source) + 1} {source}")
            lexemes.append(Lexeme("word", source[i:j], i, j))
            i = j
    return lexemes


Node = tuple[Any, ...]


class FilterParser:
    """Meilisearch's filter grammar (the subset listed in the module docstring)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lexemes = lex_filter(source)
        self.at = 0

    def _error(self, message: str, lexeme: Lexeme | None = None) -> FilterError:
        start = lexeme.start if lexeme else len(self.source)
        return FilterError(f"{message}\n{start + 1}:{len(self.source) + 1} {self.source}")

    def _peek(self, offset: int = 0) -> Lexeme | None:
        at = self.at + offset
        return self.lexemes[at] if at < len(self.lexemes) else None

    def _keyword(self, word: str, offset: int = 0) -> bool:
        lexeme = self._peek(offset)
        return lexeme is not None and lexeme.kind == "word" and lexeme.text == word

    def _take(self) -> Lexeme:
        lexeme = self._peek()
        if lexeme is None:
            raise self._error("Was expecting a value but instead got nothing.")
        self.at += 1
        return lexeme

    def parse(self) -> Node:
        if not self.lexemes:
            return ("true",)
        node = self._or()
        rest = self._peek()
        if rest is not None:
            raise self._error(f"Found unexpected characters at the end of the filter: "
                              f"`{self.source[rest.start:]}`. You probably forgot an `OR` or "
                              f"an `AND` rule.", rest)
        return node

    def _or(self) -> Node:
        parts = [self._and()]
        while self._keyword("OR"):
            self.at += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def _and(self) -> Node:
        parts = [self._not()]
        while self._keyword("AND"):
            self.at += 1
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def _not(self) -> Node:
        if self._keyword("NOT"):
            self.at += 1
            return ("not", self._not())
        return self._primary()

    def _primary(self) -> Node:
        lexeme = self._peek()
        if lexeme is not None and lexeme.kind == "(":
            self.at += 1
            node = self._or()
            closing = self._peek()
            if closing is None or closing.kind != ")":
                raise self._error("Expression is missing the following closing delimiter: "
                                  "`)`.", closing)
            self.at += 1
            return node
        return self._condition()

    def _value(self) -> str:
        lexeme = self._take()
        if lexeme.kind == "string":
            return lexeme.text
        if lexeme.kind == "word":
            if lexeme.text in _KEYWORDS:
                if lexeme.text.startswith("_geo"):
                    raise _unsupported("Geo filtering")
                raise self._error(f"Was expecting a value but instead got `{lexeme.text}`, "
                                  f"which is a reserved keyword. To use `{lexeme.text}` as a "
                                  f"field name or a value, surround it by quotes.", lexeme)
            return lexeme.text
        raise self._error(f"Was expecting a value but instead got `{lexeme.text}`.", lexeme)

    def _list(self) -> list[str]:
        opening = self._take()
        if opening.kind != "[":
            raise self._error("Expected `[` after `IN` keyword.", opening)
        values: list[str] = []
        while True:
            lexeme = self._peek()
            if lexeme is not None and lexeme.kind == "]":
                self.at += 1
                return values
            values.append(self._value())
            lexeme = self._peek()
            if lexeme is not None and lexeme.kind == ",":
                self.at += 1
            elif lexeme is None or lexeme.kind != "]":
                raise self._error("Expected matching `]` after the list of values.", lexeme)

    def _condition(self) -> Node:
        attribute_lexeme = self._peek()
        attribute = self._value()
        lexeme = self._peek()
        if lexeme is not None and lexeme.kind == "op":
            self.at += 1
            return ("cmp", attribute, lexeme.text, self._value(), attribute_lexeme)
        if self._keyword("IN"):
            self.at += 1
            return ("in", attribute, self._list(), attribute_lexeme)
        if self._keyword("NOT") and self._keyword("IN", 1):
            self.at += 2
            return ("not", ("in", attribute, self._list(), attribute_lexeme))
        if self._keyword("EXISTS"):
            self.at += 1
            return ("exists", attribute, attribute_lexeme)
        if self._keyword("NOT") and self._keyword("EXISTS", 1):
            self.at += 2
            return ("not", ("exists", attribute, attribute_lexeme))
        if self._keyword("IS") or self._keyword("CONTAINS") or self._keyword("STARTS") or (
                self._keyword("NOT") and (self._keyword("IS", 1) or self._keyword("CONTAINS", 1)
                                          or self._keyword("STARTS", 1))):
            raise _unsupported("`IS NULL`, `IS EMPTY`, `CONTAINS` and `STARTS WITH`")
        if lexeme is not None and lexeme.kind in ("word", "string") and self._keyword("TO", 1):
            low = self._value()
            self.at += 1
            return ("to", attribute, low, self._value(), attribute_lexeme)
        raise self._error(f"{_EXPECTING_OPERATION} at "
                          f"`{self.source[attribute_lexeme.start if attribute_lexeme else 0:]}`.",
                          attribute_lexeme)


def _number(text: str) -> float | None:
    return float(text) if _NUMBER.fullmatch(text) else None


def _scalars(doc: dict[str, Any], attribute: str) -> list[Any]:
    value: Any = doc
    for part in attribute.split("."):
        if not isinstance(value, dict) or part not in value:
            value = doc.get(attribute)
            break
        value = value[part]
    items = value if isinstance(value, list) else [value]
    return [v for v in items if v is not None]


def _equals(value: Any, wanted: str) -> bool:
    if isinstance(value, bool):
        return wanted.casefold() == ("true" if value else "false")
    if isinstance(value, (int, float)):
        number = _number(wanted)
        return number is not None and float(value) == number
    if isinstance(value, str):
        return value.casefold() == wanted.casefold()
    return False


def _compare(value: Any, op: str, wanted: float) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return {">": value > wanted, ">=": value >= wanted, "<": value < wanted,
            "<=": value <= wanted}[op]


def _attributes(node: Node) -> Iterator[tuple[str, Lexeme | None]]:
    kind = node[0]
    if kind in ("and", "or"):
        for part in node[1]:
            yield from _attributes(part)
    elif kind == "not":
        yield from _attributes(node[1])
    elif kind in ("cmp", "in", "to", "exists"):
        yield node[1], node[-1]


def _evaluate(node: Node, doc: dict[str, Any]) -> bool:
    kind = node[0]
    if kind == "true":
        return True
    if kind == "and":
        return all(_evaluate(part, doc) for part in node[1])
    if kind == "or":
        return any(_evaluate(part, doc) for part in node[1])
    if kind == "not":
        return not _evaluate(node[1], doc)
    if kind == "exists":
        return node[1] in doc
    values = _scalars(doc, node[1])
    if kind == "in":
        return any(_equals(v, wanted) for v in values for wanted in node[2])
    if kind == "to":
        low, high = _number(node[2]), _number(node[3])
        return low is not None and high is not None and any(
            _compare(v, ">=", low) and _compare(v, "<=", high) for v in values)
    _, _attribute, op, wanted, _lexeme = node
    if op == "=":
        return any(_equals(v, wanted) for v in values)
    if op == "!=":
        return not any(_equals(v, wanted) for v in values)
    number = _number(wanted)
    return number is not None and any(_compare(v, op, number) for v in values)


def compile_filter(expression: Any, filterable: list[str], code: str
                   ) -> Callable[[dict[str, Any]], bool]:
    """A predicate for a filter in string or array form; raises :class:`ApiError`."""
    if expression is None:
        return lambda doc: True
    if isinstance(expression, str):
        groups: list[list[str]] = [[expression]]
    elif isinstance(expression, list):
        groups = []
        for item in expression:
            if isinstance(item, str):
                groups.append([item])
            elif isinstance(item, list) and all(isinstance(s, str) for s in item):
                groups.append(list(item))
            else:
                raise ApiError(400, code, "Invalid syntax for the filter parameter: "
                               f"`expected String, Array, found: {json.dumps(item)}`.")
    else:
        raise ApiError(400, code, "Invalid syntax for the filter parameter: "
                       f"`expected String, Array, found: {json.dumps(expression)}`.")
    allowed = set(filterable)
    compiled: list[list[Node]] = []
    for group in groups:
        nodes = []
        for source in group:
            try:
                node = FilterParser(source).parse()
            except FilterError as exc:
                raise ApiError(400, code, str(exc)) from exc
            for attribute, lexeme in _attributes(node):
                if attribute not in allowed and "*" not in allowed:
                    where = (f"\n{lexeme.start + 1}:{lexeme.end + 1} {source}" if lexeme
                             else "")
                    available = ("This index does not have configured filterable "
                                 "attributes." if not allowed else
                                 "Available filterable attribute patterns are: "
                                 + ", ".join(f"`{a}`" for a in sorted(allowed)) + ".")
                    raise ApiError(400, code, f"Attribute `{attribute}` is not filterable. "
                                   f"{available}{where}")
            nodes.append(node)
        if nodes:
            compiled.append(nodes)
    return lambda doc: all(any(_evaluate(n, doc) for n in group) for group in compiled)


# --------------------------------------------------------------------------- settings

DEFAULT_SETTINGS: dict[str, Any] = {
    "displayedAttributes": ["*"],
    "searchableAttributes": ["*"],
    "filterableAttributes": [],
    "sortableAttributes": [],
    "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
    "stopWords": [],
    "nonSeparatorTokens": [],
    "separatorTokens": [],
    "dictionary": [],
    "synonyms": {},
    "distinctAttribute": None,
    "proximityPrecision": "byWord",
    "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
                      "disableOnWords": [], "disableOnAttributes": []},
    "faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "alpha"}},
    "pagination": {"maxTotalHits": 1000},
    "searchCutoffMs": None,
    "localizedAttributes": None,
    "facetSearch": True,
    "prefixSearch": "indexingTime",
}
_LIST_SETTINGS = ("displayedAttributes", "searchableAttributes", "filterableAttributes",
                  "sortableAttributes", "rankingRules", "stopWords", "nonSeparatorTokens",
                  "separatorTokens", "dictionary")
_BUILTIN_RULES = {"words", "typo", "proximity", "attribute", "sort", "exactness",
                  "attributeRank", "wordPosition"}
_CUSTOM_RULE = re.compile(r"[\w.-]+:(asc|desc)")
_NESTED_KEYS = {
    "typoTolerance": {"enabled", "minWordSizeForTypos", "disableOnWords", "disableOnAttributes",
                      "disableOnNumbers"},
    "faceting": {"maxValuesPerFacet", "sortFacetValuesBy"},
    "pagination": {"maxTotalHits"},
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def validate_settings(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "Invalid value type: expected an object.")
    for key, value in body.items():
        if key not in DEFAULT_SETTINGS:
            raise ApiError(400, "bad_request", f"Unknown field `{key}`: expected one of "
                           + ", ".join(f"`{k}`" for k in DEFAULT_SETTINGS))
        code = f"invalid_settings_{_snake(key)}"
        if value is None:
            continue
        if key in _LIST_SETTINGS:
            if not isinstance(value, list):
                raise ApiError(400, code, f"Invalid value type at `.{key}`: expected an array.")
            if key == "filterableAttributes" and any(isinstance(v, dict) for v in value):
                raise _unsupported("Granular filterable attributes")
            if not all(isinstance(v, str) for v in value):
                raise ApiError(400, code, f"Invalid value type at `.{key}[]`: expected a "
                               "string.")
        if key == "rankingRules":
            for rule in value:
                if rule not in _BUILTIN_RULES and not _CUSTOM_RULE.fullmatch(rule):
                    raise ApiError(400, code, f"Invalid value at `.rankingRules[]`: `{rule}` "
                                   "ranking rule is invalid. Valid ranking rules are words, "
                                   "typo, sort, proximity, attribute, exactness and custom "
                                   "ranking rules.")
        if key in _NESTED_KEYS:
            if not isinstance(value, dict):
                raise ApiError(400, code, f"Invalid value type at `.{key}`: expected an object.")
            for sub in value:
                if sub not in _NESTED_KEYS[key]:
                    raise ApiError(400, code, f"Unknown field `{sub}` inside `.{key}`: "
                                   "expected one of " + ", ".join(
                                       f"`{k}`" for k in sorted(_NESTED_KEYS[key])))
    return body


def _merge(current: Any, update: Any, default: Any) -> Any:
    if update is None:
        return json.loads(json.dumps(default))
    if isinstance(update, dict) and isinstance(current, dict):
        merged = dict(current)
        for key, value in update.items():
            merged[key] = _merge(current.get(key), value,
                                 default.get(key) if isinstance(default, dict) else None)
        return merged
    return update


# --------------------------------------------------------------------------- state


@dataclass
class Key:
    key: str
    uid: str
    name: str
    actions: list[str]
    indexes: list[str]
    description: str = ""
    created_at: str = field(default_factory=_now)

    def view(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "key": self.key,
                "uid": self.uid, "actions": self.actions, "indexes": self.indexes,
                "expiresAt": None, "createdAt": self.created_at, "updatedAt": self.created_at}

    def may(self, action: str, index_uid: str | None) -> bool:
        group = action.split(".")[0] + ".*"
        if not {"*", action, group} & set(self.actions):
            return False
        if index_uid is None:
            return True
        return any(p == "*" or p == index_uid or (p.endswith("*") and
                                                   index_uid.startswith(p[:-1]))
                   for p in self.indexes)


@dataclass
class Principal:
    """Who is calling: the master key, an API key, or a tenant token."""

    master: bool = False
    key: Key | None = None
    search_rules: Any = None  # tenant tokens only

    def may(self, action: str, index_uid: str | None) -> bool:
        if self.master:
            return True
        if self.key is None:
            return False
        if self.search_rules is not None:
            return action == "search" and self.rule_for(index_uid) is not False and \
                self.key.may(action, index_uid)
        return self.key.may(action, index_uid)

    def rule_for(self, index_uid: str | None) -> Any:
        """The token's filter for ``index_uid`` (None: no filter, False: no access)."""
        rules = self.search_rules
        if rules is None:
            return None
        if isinstance(rules, list):
            return None if ("*" in rules or index_uid in rules) else False
        if not isinstance(rules, dict):
            return False
        if index_uid in rules:
            rule = rules[index_uid]
        else:
            patterns = sorted((p for p in rules if p.endswith("*")
                               and str(index_uid).startswith(p[:-1])), key=len, reverse=True)
            if not patterns:
                return False
            rule = rules[patterns[0]]
        return rule.get("filter") if isinstance(rule, dict) else None


@dataclass
class Index:
    uid: str
    primary_key: str | None = None
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)
    settings: dict[str, Any] = field(
        default_factory=lambda: json.loads(json.dumps(DEFAULT_SETTINGS)))
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def view(self) -> dict[str, Any]:
        return {"uid": self.uid, "createdAt": self.created_at, "updatedAt": self.updated_at,
                "primaryKey": self.primary_key}

    def settings_view(self) -> dict[str, Any]:
        view = json.loads(json.dumps(self.settings))
        view["filterableAttributes"] = sorted(view["filterableAttributes"])
        view["sortableAttributes"] = sorted(view["sortableAttributes"])
        return view


_INDEX_UID = re.compile(r"[A-Za-z0-9_-]{1,400}")
_DOC_ID = re.compile(r"[A-Za-z0-9_-]{1,511}")


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


# --------------------------------------------------------------------------- search

SEARCH_PARAMS = {"q", "filter", "facets", "sort", "page", "hitsPerPage", "offset", "limit",
                 "attributesToRetrieve", "attributesToHighlight", "highlightPreTag",
                 "highlightPostTag", "attributesToCrop", "cropLength", "cropMarker",
                 "matchingStrategy"}
UNSUPPORTED_PARAMS = {"showMatchesPosition", "showRankingScore", "showRankingScoreDetails",
                      "rankingScoreThreshold", "attributesToSearchOn", "hybrid", "vector",
                      "retrieveVectors", "locales", "distinct", "showPerformanceDetails",
                      "media", "federationOptions"}


@dataclass
class DocMatch:
    doc: dict[str, Any]
    order: int
    words: int = 0
    typos: int = 0
    attribute: int = 0
    position: int = 0
    exact: int = 0


def _int_param(body: dict[str, Any], name: str, default: int | None) -> int | None:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiError(400, f"invalid_search_{_snake(name)}",
                       f"Invalid value type at `.{name}`: expected a positive integer, but "
                       f"found `{json.dumps(value)}`.")
    return value


def _str_list(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ApiError(400, f"invalid_search_{_snake(name)}",
                   f"Invalid value type at `.{name}`: expected an array of strings.")


def _text_values(value: Any) -> list[str]:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (int, float)):
        return [_number_text(value)]
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for v in value for t in _text_values(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _text_values(v)]
    return []


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sort_value(value: Any, descending: bool) -> tuple[int, Any]:
    """(group, value): numbers (group 0) before strings (1); missing values (2) last."""
    values = value if isinstance(value, list) else [value]
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    strings = [v.casefold() for v in values if isinstance(v, str)]
    pick = max if descending else min
    if numbers:
        return (0, pick(numbers))
    if strings:
        return (1, pick(strings))
    return (2, 0)


def _compare_sort(a: Any, b: Any, descending: bool) -> int:
    left, right = _sort_value(a, descending), _sort_value(b, descending)
    if left[0] != right[0]:
        return -1 if left[0] < right[0] else 1
    if left[1] == right[1]:
        return 0
    smaller = -1 if left[1] < right[1] else 1
    return -smaller if descending else smaller


class Searcher:
    """Runs one search request against one index (the caller holds the state lock)."""

    def __init__(self, index: Index, body: dict[str, Any], token_filter: Any) -> None:
        self.index = index
        self.body = body
        self.token_filter = token_filter
        settings = index.settings
        self.typo = settings["typoTolerance"]
        self.rules: list[str] = settings["rankingRules"]
        self.searchable: list[str] = settings["searchableAttributes"]

    # -- validation

    def _validate(self) -> None:
        for name in self.body:
            if name in UNSUPPORTED_PARAMS:
                raise _unsupported(f"The search parameter `{name}`")
            if name not in SEARCH_PARAMS:
                raise ApiError(400, "bad_request", f"Unknown field `{name}`: expected one of "
                               + ", ".join(f"`{p}`" for p in sorted(SEARCH_PARAMS)))
        q = self.body.get("q")
        if q is not None and not isinstance(q, str):
            raise ApiError(400, "invalid_search_q", "Invalid value type at `.q`: expected a "
                           "string.")
        strategy = self.body.get("matchingStrategy", "last")
        if strategy not in ("last", "all", "frequency"):
            raise ApiError(400, "invalid_search_matching_strategy",
                           f"Unknown value `{strategy}` at `.matchingStrategy`: expected one "
                           "of `last`, `all`, `frequency`.")
        for tag in ("highlightPreTag", "highlightPostTag", "cropMarker"):
            value = self.body.get(tag)
            if value is not None and not isinstance(value, str):
                raise ApiError(400, f"invalid_search_{_snake(tag)}",
                               f"Invalid value type at `.{tag}`: expected a string.")

    # -- matching

    def _budget(self, word: str, attribute: str) -> int:
        if not self.typo.get("enabled", True) or attribute in self.typo.get(
                "disableOnAttributes", []) or word in self.typo.get("disableOnWords", []):
            return 0
        sizes = self.typo.get("minWordSizeForTypos", {})
        if len(word) >= sizes.get("twoTypos", 9):
            return 2
        if len(word) >= sizes.get("oneTypo", 5):
            return 1
        return 0

    def _fields(self, doc: dict[str, Any]) -> list[tuple[int, str, list[Token]]]:
        names = list(doc) if self.searchable == ["*"] else self.searchable
        fields = []
        for rank, name in enumerate(names):
            if name in doc:
                tokens = [t for text in _text_values(doc[name]) for t in tokenize(text)]
                fields.append((rank, name, tokens))
        return fields

    def _match(self, doc: dict[str, Any], order: int, words: list[str], prefix_last: bool,
               strategy: str) -> DocMatch | None:
        result = DocMatch(doc, order)
        if not words:
            return result
        fields = self._fields(doc)
        best: list[tuple[int, int, int, bool] | None] = []
        for i, word in enumerate(words):
            prefix = prefix_last and i == len(words) - 1
            found = None
            for rank, name, tokens in fields:
                budget = self._budget(word, name)
                for position, token in enumerate(tokens):
                    m = match_word(word, token.text, prefix=prefix, budget=budget)
                    if m is None:
                        continue
                    candidate = (m.typos, rank, position, m.exact)
                    if found is None or candidate[:3] < found[:3]:
                        found = candidate
            best.append(found)
        leading = 0
        for found in best:
            if found is None:
                break
            leading += 1
        if leading == 0 or (strategy == "all" and leading < len(words)):
            return None
        for found in best[:leading]:
            assert found is not None
            result.typos += found[0]
            result.attribute += found[1]
            result.position += found[2]
            result.exact += 1 if found[3] else 0
        result.words = leading
        return result

    # -- ranking

    def _sort_criteria(self) -> list[tuple[str, bool]]:
        sort = _str_list(self.body, "sort")
        if not sort:
            return []
        if "sort" not in self.rules:
            raise ApiError(400, "invalid_search_sort", "You must specify where `sort` is "
                           "listed in the rankingRules setting to use the sort parameter at "
                           "search time.")
        sortable = set(self.index.settings["sortableAttributes"])
        criteria = []
        for item in sort:
            match = re.fullmatch(r"([^:]+):(asc|desc)", item)
            if not match:
                raise ApiError(400, "invalid_search_sort", f"Invalid syntax for the sort "
                               f"parameter: expected expression ending by `:asc` or `:desc`, "
                               f"found `{item}`.")
            if match[1] not in sortable:
                raise ApiError(400, "invalid_search_sort", f"Attribute `{match[1]}` is not "
                               f"sortable. Available sortable attributes are: "
                               f"`{', '.join(sorted(sortable))}`.")
            criteria.append((match[1], match[2] == "desc"))
        return criteria

    def _ranked(self, matches: list[DocMatch], sort: list[tuple[str, bool]]
                ) -> list[DocMatch]:
        def compare(a: DocMatch, b: DocMatch) -> int:
            for rule in self.rules:
                if rule == "sort":
                    for name, desc in sort:
                        outcome = _compare_sort(a.doc.get(name), b.doc.get(name), desc)
                        if outcome:
                            return outcome
                    continue
                if ":" in rule:
                    name, direction = rule.rsplit(":", 1)
                    outcome = _compare_sort(a.doc.get(name), b.doc.get(name),
                                            direction == "desc")
                    if outcome:
                        return outcome
                    continue
                pair = {"words": (-a.words, -b.words), "typo": (a.typos, b.typos),
                        "attribute": (a.attribute, b.attribute),
                        "attributeRank": (a.attribute, b.attribute),
                        "wordPosition": (a.position, b.position),
                        "exactness": (-a.exact, -b.exact)}.get(rule)
                if pair is not None and pair[0] != pair[1]:
                    return -1 if pair[0] < pair[1] else 1
            return (a.order > b.order) - (a.order < b.order)

        return sorted(matches, key=functools.cmp_to_key(compare))

    # -- facets

    def _facets(self, docs: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
        names = _str_list(self.body, "facets")
        if not names:
            return {}, {}
        filterable = self.index.settings["filterableAttributes"]
        if "*" in names:
            names = list(filterable)
        faceting = self.index.settings["faceting"]
        limit = faceting.get("maxValuesPerFacet", 100)
        order = faceting.get("sortFacetValuesBy", {"*": "alpha"})
        distribution: dict[str, Any] = {}
        stats: dict[str, Any] = {}
        for name in names:
            if name not in filterable:
                raise ApiError(400, "invalid_search_facets", f"Invalid facet distribution, "
                               f"attribute `{name}` is not filterable. The available "
                               f"filterable attributes are `{', '.join(sorted(filterable))}`.")
            counts: dict[str, int] = {}
            shown: dict[str, str] = {}
            numbers: list[float] = []
            for doc in docs:
                seen: set[str] = set()
                for value in _scalars(doc, name):
                    if isinstance(value, bool):
                        key = label = "true" if value else "false"
                    elif isinstance(value, (int, float)):
                        numbers.append(value)
                        key = label = _number_text(value)
                    elif isinstance(value, str):
                        key, label = value.casefold(), value
                    else:
                        continue
                    if key in seen:
                        continue
                    seen.add(key)
                    shown.setdefault(key, label)
                    counts[key] = counts.get(key, 0) + 1
            how = order.get(name, order.get("*", "alpha"))
            if how == "count":
                keys = sorted(counts, key=lambda k, c=counts, s=shown: (-c[k], s[k]))
            else:
                keys = sorted(counts, key=lambda k, s=shown: s[k])
            distribution[name] = {shown[k]: counts[k] for k in keys[:limit]}
            if numbers:
                stats[name] = {"min": min(numbers), "max": max(numbers)}
        return distribution, stats

    # -- formatting

    def _highlight(self, text: str, words: list[str], prefix_last: bool, attribute: str,
                   pre: str, post: str, span: tuple[int, int] | None = None) -> str:
        start, end = span or (0, len(text))
        out: list[str] = []
        cursor = start
        for token in tokenize(text[start:end]):
            length = 0
            for i, word in enumerate(words):
                m = match_word(word, token.text, prefix=prefix_last and i == len(words) - 1,
                               budget=self._budget(word, attribute))
                if m is not None:
                    length = max(length, m.length)
            if not length:
                continue
            token_start = start + token.start
            token_end = start + token.end
            if token.end - token.start != len(token.text):  # case folding changed length
                length = token_end - token_start
            out.append(text[cursor:token_start])
            out.append(pre + text[token_start:token_start + length] + post)
            cursor = token_start + length
        out.append(text[cursor:end])
        return "".join(out)

    def _crop(self, text: str, words: list[str], prefix_last: bool, attribute: str,
              length: int, marker: str) -> tuple[str, tuple[int, int], str]:
        tokens = tokenize(text)
        if length <= 0 or len(tokens) <= length:
            return "", (0, len(text)), ""
        first = 0
        for i, token in enumerate(tokens):
            if any(match_word(w, token.text, prefix=prefix_last and j == len(words) - 1,
                              budget=self._budget(w, attribute))
                   for j, w in enumerate(words)):
                first = i
                break
        begin = max(0, min(first - (length - 1) // 2, len(tokens) - length))
        window = tokens[begin:begin + length]
        head = marker if begin > 0 else ""
        tail = marker if begin + length < len(tokens) else ""
        return head, (window[0].start, window[-1].end), tail

    def _formatted(self, doc: dict[str, Any], retrieved: list[str], words: list[str],
                   prefix_last: bool) -> dict[str, Any] | None:
        highlight = _str_list(self.body, "attributesToHighlight") or []
        crop_specs = _str_list(self.body, "attributesToCrop") or []
        if not highlight and not crop_specs:
            return None
        crop_length = _int_param(self.body, "cropLength", 10) or 0
        crops: dict[str, int] = {}
        for spec in crop_specs:
            name, _, custom = spec.partition(":")
            crops[name] = int(custom) if custom.isdigit() else crop_length
        pre = self.body.get("highlightPreTag") or "<em>"
        post = self.body.get("highlightPostTag") or "</em>"
        marker = self.body.get("cropMarker")
        marker = "…" if marker is None and "cropMarker" not in self.body else (marker or "")
        names = [n for n in doc if n in retrieved or n in highlight or n in crops
                 or "*" in highlight or "*" in crops]
        formatted: dict[str, Any] = {}
        for name in names:
            value = doc[name]
            lit = name in highlight or "*" in highlight
            cut = crops.get(name, crops.get("*")) if (name in crops or "*" in crops) else None
            formatted[name] = self._format_value(value, name, words, prefix_last, lit, cut,
                                                 pre, post, marker)
        return formatted

    def _format_value(self, value: Any, name: str, words: list[str], prefix_last: bool,
                      lit: bool, cut: int | None, pre: str, post: str, marker: str) -> Any:
        if isinstance(value, list):
            return [self._format_value(v, name, words, prefix_last, lit, cut, pre, post,
                                       marker) for v in value]
        if isinstance(value, dict):
            return {k: self._format_value(v, name, words, prefix_last, lit, cut, pre, post,
                                          marker) for k, v in value.items()}
        if isinstance(value, bool) or value is None:
            return value
        text = _number_text(value) if isinstance(value, (int, float)) else str(value)
        head, span, tail = "", (0, len(text)), ""
        if cut is not None:
            head, span, tail = self._crop(text, words, prefix_last, name, cut, marker)
        if lit and words:
            body = self._highlight(text, words, prefix_last, name, pre, post, span)
        else:
            body = text[span[0]:span[1]]
        return head + body + tail

    # -- the search

    def run(self) -> dict[str, Any]:
        started = time.perf_counter()
        self._validate()
        filterable = self.index.settings["filterableAttributes"]
        token_predicate = compile_filter(self.token_filter, filterable, "invalid_search_filter")
        predicate = compile_filter(self.body.get("filter"), filterable, "invalid_search_filter")
        sort = self._sort_criteria()
        q = self.body.get("q") or ""
        words = [t.text for t in tokenize(q)][:10]
        prefix_last = bool(q) and not q[-1].isspace()
        strategy = self.body.get("matchingStrategy", "last")
        matches = []
        for order, doc in enumerate(self.index.docs.values()):
            if not (token_predicate(doc) and predicate(doc)):
                continue
            found = self._match(doc, order, words, prefix_last, strategy)
            if found is not None:
                matches.append(found)
        ranked = self._ranked(matches, sort)
        max_total = self.index.settings["pagination"].get("maxTotalHits", 1000)
        reachable = ranked[:max_total]
        distribution, stats = self._facets([m.doc for m in matches])
        response: dict[str, Any] = {}
        if "page" in self.body or "hitsPerPage" in self.body:
            page = _int_param(self.body, "page", 1)
            per_page = _int_param(self.body, "hitsPerPage", 20)
            assert page is not None and per_page is not None
            chosen = (reachable[(page - 1) * per_page:page * per_page]
                      if page > 0 and per_page > 0 else [])
            response.update(hitsPerPage=per_page, page=page,
                            totalPages=math.ceil(len(reachable) / per_page) if per_page else 0,
                            totalHits=len(reachable))
        else:
            offset = _int_param(self.body, "offset", 0)
            limit = _int_param(self.body, "limit", 20)
            assert offset is not None and limit is not None
            chosen = reachable[offset:offset + limit]
            response.update(limit=limit, offset=offset, estimatedTotalHits=len(reachable))
        retrieve = _str_list(self.body, "attributesToRetrieve") or ["*"]
        displayed = self.index.settings["displayedAttributes"]
        hits = []
        for m in chosen:
            visible = {k: v for k, v in m.doc.items() if "*" in displayed or k in displayed}
            hit = {k: v for k, v in visible.items() if "*" in retrieve or k in retrieve}
            formatted = self._formatted(visible, [k for k in visible if "*" in retrieve
                                                  or k in retrieve], words, prefix_last)
            if formatted is not None:
                hit["_formatted"] = formatted
            hits.append(hit)
        result: dict[str, Any] = {"hits": hits, "query": q,
                                  "processingTimeMs": int((time.perf_counter() - started) * 1000),
                                  **response}
        if "facets" in self.body and self.body["facets"] is not None:
            result["facetDistribution"] = distribution
            result["facetStats"] = stats
        return result


# --------------------------------------------------------------------------- the server


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: str
    action: str | None  # None: public


def _route(method: str, path: str, handler: str, action: str | None) -> Route:
    return Route(method, re.compile(path), handler, action)


ROUTES = [
    _route("GET", r"/health", "health", None),
    _route("GET", r"/version", "version", "version"),
    _route("POST", r"/indexes", "create_index", "indexes.create"),
    _route("GET", r"/indexes/(?P<uid>[^/]+)", "get_index", "indexes.get"),
    _route("DELETE", r"/indexes/(?P<uid>[^/]+)", "delete_index", "indexes.delete"),
    _route("GET", r"/indexes/(?P<uid>[^/]+)/settings", "get_settings", "settings.get"),
    _route("PATCH", r"/indexes/(?P<uid>[^/]+)/settings", "patch_settings", "settings.update"),
    _route("POST", r"/indexes/(?P<uid>[^/]+)/documents", "add_documents", "documents.add"),
    _route("DELETE", r"/indexes/(?P<uid>[^/]+)/documents", "delete_all", "documents.delete"),
    _route("POST", r"/indexes/(?P<uid>[^/]+)/documents/delete", "delete_by_filter",
           "documents.delete"),
    _route("POST", r"/indexes/(?P<uid>[^/]+)/documents/delete-batch", "delete_batch",
           "documents.delete"),
    _route("GET", r"/indexes/(?P<uid>[^/]+)/documents/(?P<doc>[^/]+)", "get_document",
           "documents.get"),
    _route("POST", r"/indexes/(?P<uid>[^/]+)/search", "search", "search"),
    _route("POST", r"/multi-search", "multi_search", "search"),
    _route("GET", r"/tasks", "get_tasks", "tasks.get"),
    _route("GET", r"/tasks/(?P<task>\d+)", "get_task", "tasks.get"),
    _route("GET", r"/keys/(?P<key>[^/]+)", "get_key", "keys.get"),
]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Any
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    principal: Principal = field(default_factory=Principal)

    def json(self) -> Any:
        content_type = self.headers.get("Content-Type")
        if content_type is None:
            raise ApiError(415, "missing_content_type", "A Content-Type header is missing. "
                           "Accepted values for the Content-Type header are: "
                           "`application/json`.")
        if content_type.split(";")[0].strip() != "application/json":
            raise ApiError(415, "invalid_content_type", f"The Content-Type `{content_type}` "
                           "is invalid. Accepted values for the Content-Type header are: "
                           "`application/json`.")
        if not self.body:
            raise ApiError(400, "missing_payload", "A json payload is missing.")
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise ApiError(400, "malformed_payload", f"The json payload provided is "
                           f"malformed. `{exc}`.") from exc


class FakeMeilisearch:
    """The fake server. ``start()`` it (or use it as a context manager); ``url``,
    ``master_key``, ``admin_key``, ``search_key`` and ``search_key_uid`` are what a client
    needs. ``task_delay`` (seconds) slows each task down."""

    def __init__(self, master_key: str = "fake-master-key-for-tests-only",
                 task_delay: float = 0.0) -> None:
        self.master_key = master_key
        self.task_delay = task_delay
        self.indexes: dict[str, Index] = {}
        self.tasks: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self.keys: list[Key] = [
            Key(secrets.token_hex(32), str(uuid.uuid4()), "Default Search API Key",
                ["search"], ["*"], "Use it to search from the frontend"),
            Key(secrets.token_hex(32), str(uuid.uuid4()), "Default Admin API Key",
                ["*"], ["*"], "Use it for anything that is not a search operation."),
        ]
        self.lock = threading.RLock()
        self._pending: list[tuple[dict[str, Any], Callable[[], dict[str, Any] | None]]] = []
        self._work = threading.Condition(self.lock)
        self._paused = False
        self._stopping = False
        self._worker: threading.Thread | None = None
        self._http = LocalServer("fake-meilisearch-http")
        self._hanging = threading.Event()
        self._released = threading.Event()

    # -- lifecycle

    @property
    def search_key(self) -> str:
        return self.keys[0].key

    @property
    def search_key_uid(self) -> str:
        return self.keys[0].uid

    @property
    def admin_key(self) -> str:
        return self.keys[1].key

    @property
    def url(self) -> str:
        return self._http.url

    def start(self) -> FakeMeilisearch:
        self._stopping = False
        self._worker = threading.Thread(target=self._process_tasks, daemon=True,
                                        name="fake-meilisearch-tasks")
        self._worker.start()
        self._listen()
        return self

    def stop(self) -> None:
        with self.lock:
            self._stopping = True
            self._work.notify_all()
        self._released.set()
        self._http.stop()
        if self._worker is not None:
            self._worker.join(timeout=5)

    def __enter__(self) -> FakeMeilisearch:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _listen(self) -> None:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._http.start(Handler)

    # -- failure simulation

    def go_down(self) -> None:
        """Stop accepting connections (clients get "connection refused"); data stays."""
        self._http.stop()

    def come_back(self) -> None:
        """Listen again on the same port, with the same data and tasks."""
        if not self._http.running:
            self._listen()

    def hang(self) -> None:
        """Accept requests but answer none until :meth:`release` (clients time out)."""
        self._released.clear()
        self._hanging.set()

    def release(self) -> None:
        self._hanging.clear()
        self._released.set()

    def pause_tasks(self) -> None:
        """Leave new tasks ``enqueued`` until :meth:`resume_tasks`."""
        with self.lock:
            self._paused = True

    def resume_tasks(self) -> None:
        with self.lock:
            self._paused = False
            self._work.notify_all()

    # -- helpers for tests

    def create_key(self, actions: list[str], indexes: list[str] | None = None,
                   name: str = "test key") -> Key:
        key = Key(secrets.token_hex(32), str(uuid.uuid4()), name, list(actions),
                  list(indexes or ["*"]))
        with self.lock:
            self.keys.append(key)
        return key

    def documents(self, index_uid: str) -> dict[str, dict[str, Any]]:
        with self.lock:
            index = self.indexes.get(index_uid)
            return json.loads(json.dumps(index.docs)) if index else {}

    def tasks_of_type(self, task_type: str, index_uid: str | None = None
                      ) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(t) for t in self.tasks if t["type"] == task_type
                    and (index_uid is None or t["indexUid"] == index_uid)]

    # -- tasks

    def _enqueue(self, index_uid: str | None, task_type: str, details: dict[str, Any],
                 apply: Callable[[], dict[str, Any] | None]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            task = {"uid": len(self.tasks), "batchUid": None, "indexUid": index_uid,
                    "status": "enqueued", "type": task_type, "canceledBy": None,
                    "details": details, "error": None, "duration": None,
                    "enqueuedAt": _now(), "startedAt": None, "finishedAt": None}
            self.tasks.append(task)
            self._pending.append((task, apply))
            self._work.notify_all()
            return 202, {"taskUid": task["uid"], "indexUid": index_uid, "status": "enqueued",
                         "type": task_type, "enqueuedAt": task["enqueuedAt"]}

    def _process_tasks(self) -> None:
        while True:
            with self.lock:
                while not self._stopping and (self._paused or not self._pending):
                    self._work.wait(0.1)
                if self._stopping:
                    return
                task, apply = self._pending.pop(0)
                task["status"] = "processing"
                task["startedAt"] = _now()
                task["batchUid"] = task["uid"]
            if self.task_delay:
                time.sleep(self.task_delay)
            started = time.perf_counter()
            with self.lock:
                try:
                    extra = apply()
                except TaskError as exc:
                    task["status"] = "failed"
                    task["error"] = exc.error
                else:
                    task["status"] = "succeeded"
                    if extra:
                        task["details"].update(extra)
                task["duration"] = f"PT{time.perf_counter() - started:.6f}S"
                task["finishedAt"] = _now()

    def _index_or_fail(self, uid: str) -> Index:
        index = self.indexes.get(uid)
        if index is None:
            raise TaskError("index_not_found", f"Index `{uid}` not found.")
        return index

    def _index_or_create(self, uid: str) -> Index:
        if uid not in self.indexes:
            self.indexes[uid] = Index(uid)
        return self.indexes[uid]

    # -- authentication

    def authenticate(self, headers: Any) -> Principal:
        header = headers.get("Authorization")
        if header is None:
            raise ApiError(401, "missing_authorization_header", "The Authorization header is "
                           "missing. It must use the bearer authorization method.", "auth")
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        if scheme != "Bearer" or not credential:
            raise self._invalid_key()
        if hmac.compare_digest(credential, self.master_key):
            return Principal(master=True)
        for key in self.keys:
            if hmac.compare_digest(credential, key.key):
                return Principal(key=key)
        if credential.count(".") == 2:
            return self._tenant_token(credential)
        raise self._invalid_key()

    @staticmethod
    def _invalid_key() -> ApiError:
        return ApiError(403, "invalid_api_key", "The provided API key is invalid.", "auth")

    def _tenant_token(self, token: str) -> Principal:
        head, payload, signature = token.split(".")
        try:
            header = json.loads(_b64decode(head))
            claims = json.loads(_b64decode(payload))
            given = _b64decode(signature)
        except (ValueError, binascii.Error) as exc:
            raise self._invalid_key() from exc
        if header.get("alg") != "HS256" or not isinstance(claims, dict):
            raise self._invalid_key()
        parent = next((k for k in self.keys if k.uid == claims.get("apiKeyUid")), None)
        if parent is None or not parent.may("search", None):
            raise self._invalid_key()
        expected = hmac.new(parent.key.encode(), f"{head}.{payload}".encode(),
                            hashlib.sha256).digest()
        if not hmac.compare_digest(expected, given):
            raise self._invalid_key()
        expires = claims.get("exp")
        if expires is not None and (not isinstance(expires, int) or expires < time.time()):
            raise self._invalid_key()
        rules = claims.get("searchRules")
        if not isinstance(rules, (dict, list)):
            raise self._invalid_key()
        return Principal(key=parent, search_rules=rules)

    # -- request handling

    def handle(self, request: Request) -> tuple[int, Any]:
        with self.lock:
            self.requests.append((request.method, request.path))
        allowed_methods = set()
        for route in ROUTES:
            match = route.pattern.fullmatch(request.path)
            if not match:
                continue
            allowed_methods.add(route.method)
            if route.method != request.method:
                continue
            request.params = {k: unquote(v) for k, v in match.groupdict().items()}
            uid = request.params.get("uid")
            if uid is not None and not _INDEX_UID.fullmatch(uid):
                raise ApiError(400, "invalid_index_uid", f"`{uid}` is not a valid index uid. "
                               "Index uid can be an integer or a string containing only "
                               "alphanumeric characters, hyphens (-) and underscores (_), and "
                               "can not be more than 512 bytes.")
            if route.action is not None:
                request.principal = self.authenticate(request.headers)
                if route.handler != "multi_search" and not request.principal.may(
                        route.action, uid):
                    raise self._invalid_key()
            return getattr(self, "_" + route.handler)(request)
        if allowed_methods:
            raise ApiError(405, "method_not_allowed", "Method not allowed.")
        raise ApiError(404, "not_found", f"`{request.path}` is not a route of this "
                       "Meilisearch fake.")

    def _health(self, request: Request) -> tuple[int, Any]:
        return 200, {"status": "available"}

    def _version(self, request: Request) -> tuple[int, Any]:
        return 200, {"commitSha": "0000000000000000000000000000000000000000",
                     "commitDate": "2024-01-01T00:00:00Z", "pkgVersion": FAKE_VERSION}

    def _create_index(self, request: Request) -> tuple[int, Any]:
        body = request.json()
        uid = body.get("uid") if isinstance(body, dict) else None
        if not isinstance(uid, str) or not _INDEX_UID.fullmatch(uid):
            raise ApiError(400, "invalid_index_uid", f"`{uid}` is not a valid index uid.")
        primary_key = body.get("primaryKey")

        def apply() -> None:
            if uid in self.indexes:
                raise TaskError("index_already_exists", f"Index `{uid}` already exists.")
            self.indexes[uid] = Index(uid, primary_key=primary_key)

        return self._enqueue(uid, "indexCreation", {"primaryKey": primary_key}, apply)

    def _get_index(self, request: Request) -> tuple[int, Any]:
        uid = request.params["uid"]
        with self.lock:
            if uid not in self.indexes:
                raise ApiError(404, "index_not_found", f"Index `{uid}` not found.")
            return 200, self.indexes[uid].view()

    def _delete_index(self, request: Request) -> tuple[int, Any]:
        uid = request.params["uid"]

        def apply() -> dict[str, Any]:
            index = self._index_or_fail(uid)
            del self.indexes[uid]
            return {"deletedDocuments": len(index.docs)}

        return self._enqueue(uid, "indexDeletion", {"deletedDocuments": None}, apply)

    def _get_settings(self, request: Request) -> tuple[int, Any]:
        uid = request.params["uid"]
        with self.lock:
            if uid not in self.indexes:
                raise ApiError(404, "index_not_found", f"Index `{uid}` not found.")
            return 200, self.indexes[uid].settings_view()

    def _patch_settings(self, request: Request) -> tuple[int, Any]:
        uid = request.params["uid"]
        body = validate_settings(request.json())

        def apply() -> None:
            index = self._index_or_create(uid)
            for key, value in body.items():
                index.settings[key] = _merge(index.settings.get(key), value,
                                             DEFAULT_SETTINGS[key])
            index.updated_at = _now()

        return self._enqueue(uid, "settingsUpdate", dict(body), apply)

    def _add_documents(self, request: Request) -> tuple[int, Any]:
        uid = request.params["uid"]
        body = request.json()
        documents = [body] if isinstance(body, dict) else body
        if not isinstance(documents, list) or not all(isinstance(d, dict) for d in documents):
            raise ApiError(400, "malformed_payload", "The json payload provided is malformed: "
                           "expected an object or an array of objects.")
        wanted_key = (request.query.get("primaryKey") or [None])[0]

        def apply() -> dict[str, Any]:
            index = self._index_or_create(uid)
            key = index.primary_key or wanted_key
            if key is None:
                candidates = sorted({k for d in documents for k in d
                                     if k.lower().endswith("id")})
                if len(candidates) != 1:
                    code = ("index_primary_key_multiple_candidates_found" if candidates
                            else "index_primary_key_no_candidate_found")
                    raise TaskError(code, "The primary key inference failed as the engine "
                                    f"found {len(candidates)} fields ending with `id` in their "
                                    f"names: {', '.join(candidates)}. Please specify the "
                                    "primary key manually using the `primaryKey` query "
                                    "parameter.")
                key = candidates[0]
            ids = []
            for doc in documents:
                value = doc.get(key)
                if isinstance(value, bool) or not (
                        (isinstance(value, int) and value >= 0)
                        or (isinstance(value, str) and _DOC_ID.fullmatch(value))):
                    raise TaskError("invalid_document_id", f"Document identifier "
                                    f"`{json.dumps(value)}` is invalid. A document identifier "
                                    "can be of type integer or string, only composed of "
                                    "alphanumeric characters (a-z A-Z 0-9), hyphens (-) and "
                                    "underscores (_), and can not be more than 511 bytes.")
                ids.append(str(value))
            index.primary_key = key
            for doc_id, doc in zip(ids, documents, strict=True):
                index.docs[doc_id] = json.loads(json.dumps(doc))
            index.updated_at = _now()
            return {"indexedDocuments": len(documents)}

        return self._enqueue(uid, "documentAdditionOrUpdate",
                             {"receivedDocuments": len(documents), "indexedDocuments": None},
                             apply)

    def _delete_all(self, request: Request) -> tuple[int, Any]:
        uid = request.params["uid"]

        def apply() -> dict[str, Any]:
            index = self._index_or_fail(uid)
            deleted = len(index.docs)
            index.docs.clear()
            return {"deletedDocuments": deleted}

        return self._enqueue(uid, "documentDeletion",
                             {"providedIds": 0, "deletedDocuments": None,
                              "originalFilter": None}, apply)

    def _delete_by_filter(self, request: Request) -> tuple[int, Any]:
        uid = request.params["uid"]
        body = request.json()
        expression = body.get("filter") if isinstance(body, dict) else None
        if expression is None:
            raise ApiError(400, "missing_document_filter", "Missing field `filter`")
        if expression in ("", []):
            raise ApiError(400, "invalid_document_filter", "Sending an empty filter is "
                           "forbidden.")
        # Syntax errors are reported at once; attributes are checked when the task runs.
        compile_filter(expression, ["*"], "invalid_document_filter")

        def apply() -> dict[str, Any]:
            index = self._index_or_fail(uid)
            try:
                predicate = compile_filter(expression, index.settings["filterableAttributes"],
                                           "invalid_document_filter")
            except ApiError as exc:
                raise TaskError(exc.code, f"Index `{uid}`: {exc.message}") from exc
            doomed = [k for k, doc in index.docs.items() if predicate(doc)]
            for doc_id in doomed:
                del index.docs[doc_id]
            return {"deletedDocuments": len(doomed)}

        return self._enqueue(uid, "documentDeletion",
                             {"providedIds": 0, "deletedDocuments": None,
                              "originalFilter": json.dumps(expression)}, apply)

    def _delete_batch(self, request: Request) -> tuple[int, Any]:
        uid = request.params["uid"]
        ids = request.json()
        if not isinstance(ids, list):
            raise ApiError(400, "bad_request", "Invalid value type: expected an array.")

        def apply() -> dict[str, Any]:
            index = self._index_or_fail(uid)
            deleted = 0
            for doc_id in ids:
                if index.docs.pop(str(doc_id), None) is not None:
                    deleted += 1
            return {"deletedDocuments": deleted}

        return self._enqueue(uid, "documentDeletion",
                             {"providedIds": len(ids), "deletedDocuments": None,
                              "originalFilter": None}, apply)

    def _get_document(self, request: Request) -> tuple[int, Any]:
        uid, doc_id = request.params["uid"], request.params["doc"]
        with self.lock:
            index = self.indexes.get(uid)
            if index is None:
                raise ApiError(404, "index_not_found", f"Index `{uid}` not found.")
            if doc_id not in index.docs:
                raise ApiError(404, "document_not_found", f"Document `{doc_id}` not found.")
            return 200, index.docs[doc_id]

    def _search_one(self, principal: Principal, uid: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ApiError(400, "bad_request", "Invalid value type: expected an object.")
        if not principal.may("search", uid):
            raise self._invalid_key()
        token_filter = principal.rule_for(uid)
        with self.lock:
            index = self.indexes.get(uid)
            if index is None:
                raise ApiError(404, "index_not_found", f"Index `{uid}` not found.")
            return Searcher(index, body, token_filter).run()

    def _search(self, request: Request) -> tuple[int, Any]:
        return 200, self._search_one(request.principal, request.params["uid"], request.json())

    def _multi_search(self, request: Request) -> tuple[int, Any]:
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("queries"), list):
            raise ApiError(400, "bad_request", "Missing field `queries`.")
        if body.get("federation") is not None:
            raise _unsupported("Federated multi-search")
        unknown = set(body) - {"queries", "federation"}
        if unknown:
            raise ApiError(400, "bad_request", f"Unknown field `{sorted(unknown)[0]}`: "
                           "expected one of `queries`, `federation`.")
        results = []
        for i, query in enumerate(body["queries"]):
            if not isinstance(query, dict) or not isinstance(query.get("indexUid"), str):
                raise ApiError(400, "missing_index_uid",
                               f"Inside `.queries[{i}]`: Missing field `indexUid`.")
            params = {k: v for k, v in query.items() if k != "indexUid"}
            try:
                result = self._search_one(request.principal, query["indexUid"], params)
            except ApiError as exc:
                raise ApiError(exc.status, exc.code, f"Inside `.queries[{i}]`: {exc.message}",
                               exc.error_type) from exc
            results.append({"indexUid": query["indexUid"], **result})
        return 200, {"results": results}

    def _get_task(self, request: Request) -> tuple[int, Any]:
        uid = int(request.params["task"])
        with self.lock:
            if uid >= len(self.tasks):
                raise ApiError(404, "task_not_found", f"Task `{uid}` not found.")
            return 200, dict(self.tasks[uid])

    def _get_tasks(self, request: Request) -> tuple[int, Any]:
        def values(name: str) -> set[str] | None:
            raw = request.query.get(name)
            if not raw:
                return None
            found = {v for item in raw for v in item.split(",") if v}
            return None if "*" in found else found

        try:
            limit = int((request.query.get("limit") or ["20"])[0])
            start = request.query.get("from")
            start_uid = int(start[0]) if start else None
        except ValueError as exc:
            raise ApiError(400, "invalid_task_limit", "Invalid `limit` or `from`.") from exc
        indexes, types, statuses = values("indexUids"), values("types"), values("statuses")
        with self.lock:
            chosen = [dict(t) for t in reversed(self.tasks)
                      if (indexes is None or t["indexUid"] in indexes)
                      and (types is None or t["type"] in types)
                      and (statuses is None or t["status"] in statuses)]
        total = len(chosen)
        if start_uid is not None:
            chosen = [t for t in chosen if t["uid"] <= start_uid]
        page = chosen[:limit]
        following = chosen[limit]["uid"] if len(chosen) > limit else None
        return 200, {"results": page, "total": total, "limit": limit,
                     "from": page[0]["uid"] if page else None, "next": following}

    def _get_key(self, request: Request) -> tuple[int, Any]:
        wanted = request.params["key"]
        with self.lock:
            for key in self.keys:
                if wanted in (key.key, key.uid):
                    return 200, key.view()
        raise ApiError(404, "api_key_not_found", f"API key `{wanted}` not found.")


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeMeilisearch

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the fake's ``requests`` list instead."""

    def _answer(self) -> None:
        fake = self.server_fake
        if fake._hanging.is_set():
            fake._released.wait(timeout=30)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        request = Request(self.command, split.path.rstrip("/") or "/",
                          parse_qs(split.query), self.headers, body)
        try:
            status, payload = fake.handle(request)
        except ApiError as exc:
            status, payload = exc.status, exc.body()
        except Exception as exc:  # a bug in the fake: say so instead of dropping the line
            status, payload = 500, {"message": f"Meilisearch fake bug: {exc!r}",
                                    "code": "internal", "type": "internal",
                                    "link": DOCS + "internal"}
        data = json.dumps(payload).encode()
        with contextlib.suppress(OSError):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer
