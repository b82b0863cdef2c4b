"""A merchant's own wording of a message: the small template language and its checks.

A store may replace the standard text of each message (per event, channel and
language) with its own. The text is words plus two things, and nothing else:

* ``{{ number }}``: a placeholder, filled in when the message is sent;
* ``{% if tracking_url %} … {% elif … %} … {% else %} … {% endif %}``: a part that
  only shows when a placeholder has a value (``not``, ``and`` and ``or`` work too).

Jinja parses it (in its sandbox, without autoescaping: these are plain texts) and
:func:`problems_in` walks the parsed tree and refuses every other construct, so a
template cannot loop, call, read attributes or build a huge string. The checks run
when the merchant saves, and again before each send (remembered per text, like the
compiled template): a text that fails is never sent half-made; the standard text goes
instead.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from core.messaging.texts import ORDER_EVENTS

#: The events whose wording a merchant may change, in the order the admin lists them.
EDITABLE_EVENTS: tuple[str, ...] = (*ORDER_EVENTS, "sign_in_code")
CHANNELS: tuple[str, ...] = ("email", "sms")

_ORDER_PLACEHOLDERS = ("store", "name", "number", "total", "link", "payment")
#: The placeholders each event's messages may use.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "order_placed": (*_ORDER_PLACEHOLDERS, "awaiting_payment"),
    "order_paid": _ORDER_PLACEHOLDERS,
    "order_shipped": (*_ORDER_PLACEHOLDERS, "carrier", "tracking_number", "tracking_url"),
    "order_delivered": _ORDER_PLACEHOLDERS,
    "order_cancelled": _ORDER_PLACEHOLDERS,
    "order_refunded": (*_ORDER_PLACEHOLDERS, "refund_amount"),
    "order_link": _ORDER_PLACEHOLDERS,
    "sign_in_code": ("store", "code"),
}
#: Yes-or-no placeholders: they choose a part (``{% if awaiting_payment %}``) and are
#: never printed.
CONDITIONS: frozenset[str] = frozenset({"awaiting_payment"})
#: Placeholders a body must use, or the message would miss its point.
REQUIRED: dict[tuple[str, str], tuple[str, ...]] = {
    ("sign_in_code", "sms"): ("code",),
    ("sign_in_code", "email"): ("code",),
    ("order_link", "sms"): ("link",),
}

#: The most ``{% if %}`` a text may hold inside one another (a compiled template nests
#: one block per level, and Python allows only so many).
MAX_IF_DEPTH = 5
#: The most tokens one ``{{ … }}`` or ``{% … %}`` may hold (``if not tracking_url and
#: tracking_number`` is 6).
MAX_TAG_TOKENS = 12
#: The longest texts a merchant may save (characters of template text).
MAX_LINE = 200
MAX_SMS_BODY = 1000
MAX_EMAIL_BODY = 5000

_ALLOWED_NODES = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.If,
                  nodes.Not, nodes.And, nodes.Or)


#: Placeholders that only a message's body may show: a sign-in code in a subject line
#: would sit in every notification preview and in the log unmasked.
BODY_ONLY: frozenset[str] = frozenset({"code"})


def placeholders_for(event: str, field: str) -> tuple[str, ...]:
    """The placeholders ``field`` (``subject``, ``heading`` or ``body``) of ``event``'s
    message may use."""
    names = PLACEHOLDERS[event]
    return names if field == "body" else tuple(n for n in names if n not in BODY_ONLY)


def fields_of(event: str, channel: str) -> tuple[str, ...]:
    """The parts of a message the merchant writes: an SMS is one text; an email has a
    subject, a heading (not for the sign-in code, a plain note) and a message."""
    if channel == "sms":
        return ("body",)
    return ("subject", "body") if event == "sign_in_code" else ("subject", "heading", "body")


def max_length(channel: str, field: str) -> int:
    """The longest text ``field`` of a ``channel`` message may hold."""
    if field != "body":
        return MAX_LINE
    return MAX_SMS_BODY if channel == "sms" else MAX_EMAIL_BODY


@dataclass(frozen=True)
class Problem:
    """Why a text cannot be used. ``kind`` is one of ``syntax`` (``line`` says where),
    ``construct`` (something other than placeholders and ifs), ``nesting`` (more than
    :data:`MAX_IF_DEPTH` ifs inside one another), ``unknown`` (a
    placeholder this message does not have: ``name``), ``condition`` (a yes-or-no
    placeholder printed instead of tested: ``name``), ``missing`` (a required
    placeholder is not printed outside every if: ``name``), ``empty`` or ``too_long``."""

    kind: str
    name: str = ""
    line: int = 0


class _Environment(SandboxedEnvironment):
    """The sandbox, plain text, every placeholder strictly defined."""

    def __init__(self) -> None:
        super().__init__(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False,
                         auto_reload=False, cache_size=0)


_ENV = _Environment()


def _walk(node: nodes.Node) -> Iterable[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def _shape_problem(text: str) -> Problem | None:
    """Refuse, before parsing, texts whose shape alone would exhaust the parser or the
    compiler: ifs nested deeper than :data:`MAX_IF_DEPTH`, or a tag of more than
    :data:`MAX_TAG_TOKENS` tokens (``not not not …``, ``((((…``). The lexer is a loop,
    where Jinja's parser and Python's compiler recurse."""
    depth = 0
    tokens = 0
    keyword_next = False
    for lineno, kind, value in _ENV.lex(text):
        if kind in ("block_begin", "variable_begin"):
            tokens, keyword_next = 0, kind == "block_begin"
            continue
        if kind in ("comment_begin", "linecomment_begin"):  # an unclosed one hides text
            return Problem("construct", line=lineno)
        if kind in ("whitespace", "data", "block_end", "variable_end"):
            continue
        tokens += 1
        if tokens > MAX_TAG_TOKENS:
            return Problem("construct", line=lineno)
        if keyword_next:
            keyword_next = False
            if value == "if":
                depth += 1
                if depth > MAX_IF_DEPTH:
                    return Problem("nesting", line=lineno)
            elif value == "endif":
                depth -= 1
    return None


def problems_in(text: str, allowed: Iterable[str], *, required: Iterable[str] = (),
                limit: int = MAX_EMAIL_BODY) -> list[Problem]:
    """What is wrong with ``text`` as the wording of a message whose placeholders are
    ``allowed``; an empty list when it may be saved."""
    if not text.strip():
        return [Problem("empty")]
    if len(text) > limit:
        return [Problem("too_long")]
    try:
        shape = _shape_problem(text)
        if shape is not None:
            return [shape]
        tree = _ENV.parse(text)
    except TemplateSyntaxError as exc:
        return [Problem("syntax", line=exc.lineno or 0)]
    allowed = set(allowed)
    problems: list[Problem] = []
    used: list[str] = []
    for node in _walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            return [Problem("construct", line=getattr(node, "lineno", 0) or 0)]
        if isinstance(node, nodes.Output):
            for child in node.nodes:  # {{ }} prints one plain placeholder; logic is for ifs
                if not isinstance(child, (nodes.TemplateData, nodes.Name)):
                    return [Problem("construct", line=child.lineno or 0)]
                if isinstance(child, nodes.Name) and child.name in CONDITIONS:
                    problems.append(Problem("condition", child.name, child.lineno or 0))
        if isinstance(node, nodes.Name) and node.name not in used:
            used.append(node.name)
            if node.name not in allowed:
                problems.append(Problem("unknown", node.name, node.lineno or 0))
    always = _printed_always(tree)
    problems.extend(Problem("missing", name) for name in required if name not in always)
    return problems


def _printed_always(tree: nodes.Template) -> set[str]:
    """The placeholders printed outside every ``{% if %}``: what every message shows."""
    return {child.name for output in tree.body if isinstance(output, nodes.Output)
            for child in output.nodes if isinstance(child, nodes.Name)}


@functools.lru_cache(maxsize=512)
def _compiled(text: str, names: frozenset[str]) -> Any:
    """``text`` compiled, or ``None`` when it breaks the rules for ``names``: each saved
    text is checked and compiled once per process, not once per message."""
    if problems_in(text, names, limit=len(text)):
        return None
    return _ENV.from_string(text)


class EmptyWording(ValueError):
    """The text rendered to nothing (all of it sat in ``{% if %}`` parts left out)."""


def render_wording(text: str, values: Mapping[str, Any], *, one_line: bool = False) -> str:
    """``text`` with its placeholders filled from ``values``: lines trimmed, runs of
    blank lines made one, or everything on one line when ``one_line``. Raises
    ``ValueError`` when the text breaks the rules (it must pass :func:`problems_in`
    with ``values``' names), :class:`EmptyWording` when it comes out empty."""
    try:
        template = _compiled(text, frozenset(values))
        rendered = None if template is None else template.render(**values)
    except Exception as exc:  # whatever the template engine says: not sendable
        raise ValueError(f"the text does not render: {exc}") from exc
    if rendered is None:
        raise ValueError("the text does not follow the template rules")
    result = " ".join(rendered.split()) if one_line else tidy_lines(rendered)
    if not result:
        raise EmptyWording("the text came out empty")
    return result


def tidy_lines(text: str) -> str:
    """Lines without edge spaces, at most one blank line in a row, none at the ends."""
    tidy: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = " ".join(line.split())
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).strip()


def placeholder_values(names: Iterable[str]) -> dict[str, str]:
    """Each name as its own placeholder (``{"number": "{{ number }}"}``): rendering a
    standard text with these writes it in the template language."""
    return {name: "{{ " + name + " }}" for name in names}
