"""The SDK reference, generated from the code: ``docs/sdk-reference.md``.

``python -m core.sdk.reference`` prints it, ``--write`` writes the file and ``--check``
exits 1 with a summary of the differences when the file is stale
(``tests/test_sdk_reference.py`` runs the check).

Every name of ``core.sdk.__all__`` is listed under the module of ``core.sdk`` that
exports it (the contract first, then the services), in the order of its source. What
is shown comes from the source itself, read with :mod:`ast` so that the output never
depends on addresses or dictionary order: dataclass fields with their annotation,
default and the ``#:`` comment lines above them (as Sphinx reads them), protocol
attributes and methods, signatures with their docstrings, constants with their value.
:func:`problems` lists what is not documented; the test keeps it empty.

This module is not part of ``__all__`` and plugins never load it.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import difflib
import functools
import importlib
import inspect
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

#: Top-level packages whose source is read; other libraries' names are re-exports.
OWN_PACKAGES: frozenset[str] = frozenset({"core"})
#: Where ``--write`` and ``--check`` look, from the root of a source checkout.
DEFAULT_FILE = Path(__file__).resolve().parents[2] / "docs" / "sdk-reference.md"

#: Sections in this order, with their titles; modules not named here follow, by name.
CONTRACT_TOPICS: tuple[tuple[str, str], ...] = (
    ("core.sdk.hooks", "Hook marker"),
    ("core.sdk.manifest", "The manifest"),
    ("core.sdk.fields", "Settings fields"),
    ("core.sdk.text", "Translations"),
    ("core.sdk.schedules", "Schedules"),
    ("core.sdk.store", "The store"),
    ("core.money", "Amounts of money"),
    ("core.sdk.catalog", "Catalogue"),
    ("core.sdk.commerce", "Carts, checkout, orders, shipping and payments"),
    ("core.sdk.places", "Places and addresses"),
    ("core.sdk.storefront", "Storefront pages"),
    ("core.sdk.search", "Product search"),
    ("core.sdk.providers", "Providers"),
    ("core.sdk.messaging", "SMS gateways"),
)
SERVICE_TOPICS: tuple[tuple[str, str], ...] = (
    ("core.sdk.reads", "Reading the store's data"),
    ("core.sdk.web", "Routes and pages of a plugin"),
    ("core.sdk.data", "A plugin's own data"),
    ("core.sdk.jobs", "Background jobs"),
    ("core.sdk.payments", "Payments settled in the background"),
    ("core.sdk.shipments", "Shipment tracking"),
    ("core.sdk.messages", "Messages to shoppers"),
    ("core.sdk.ratings", "Ratings and cached pages"),
    ("core.sdk.media", "Photos"),
)

#: What to say about names Haat re-exports from another library.
EXTERNAL_NOTES: dict[str, str] = {
    "Markup": (
        "A string marked safe for HTML: core inserts it as it is, without escaping. "
        "Only ``SlotContent.html`` takes it. Build it with "
        '``Markup("<b>{}</b>").format(value)``, which escapes ``value``.'),
}

INTRODUCTION = """\
# SDK reference

Every public name of `core.sdk`, the one package a Haat plugin imports, field by field.
Generated from the code by `python -m core.sdk.reference --write`: do not edit it by
hand (`tests/test_sdk_reference.py` fails when it is stale or when a field, function
or method has no documentation). Start with the [plugin guide](plugins.md); the hooks
that pass and take these types are in [hooks.md](hooks.md).

## Reading this reference

- Import every name from `core.sdk` (`from core.sdk import StoreInfo`). Anything not
  listed here is private to Haat and may change without notice.
- The data types are dataclasses. Build them with keyword arguments; a field whose
  default says *required* must be given. Frozen ones cannot be changed: make a changed
  copy with `dataclasses.replace(obj, name=value)`.
- Amounts are `Money`: an integer number of minor units of the store's currency
  (`Money(125000, "BDT")` is ৳1,250.00), never a float. Amounts of one store are all in
  its currency (`StoreInfo.currency`). A `MoneyField` setting is a bare `int` of minor
  units.
- Each field says what `None` and `""` mean for it. For text, `""` means "none" or
  "not set".
- Times from the database are in UTC: timezone-aware on PostgreSQL, naive on SQLite
  (read a naive one as UTC).
"""


# ------------------------------------------------------------------------ reading source


@dataclasses.dataclass(frozen=True)
class Source:
    """One module's source: its syntax tree and lines, for ``#:`` comments."""

    module: str
    tree: ast.Module
    lines: tuple[str, ...]

    def comment(self, node: ast.stmt) -> str:
        """The ``#:`` comment of a statement: the lines right above it, or one at the
        end of its own line."""
        found: list[str] = []
        number = node.lineno - 2  # the line above, 0-based
        while number >= 0 and self.lines[number].strip().startswith("#:"):
            found.insert(0, self.lines[number].strip()[2:].strip())
            number -= 1
        if not found:  # ``x: int = 0  #: doc`` on one line
            found.append(self.lines[node.end_lineno - 1].partition("  #: ")[2].strip())
        return " ".join(part for part in found if part)

    def top(self, name: str) -> ast.stmt | None:
        """The module-level statement that defines ``name``, if any."""
        for node in self.tree.body:
            if _defines(node, name):
                return node
        return None

    def source(self, node: ast.AST) -> str:
        """The source text of ``node`` as written (``ast.get_source_segment`` without
        splitting the whole module again for every node)."""
        first, last = node.lineno - 1, node.end_lineno - 1
        start, end = node.col_offset, node.end_col_offset
        if first == last:
            return self.lines[first].encode()[start:end].decode()
        return "\n".join([self.lines[first].encode()[start:].decode(),
                          *self.lines[first + 1:last],
                          self.lines[last].encode()[:end].decode()])

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node`` on one line."""
        return " ".join(self.source(node).split())

    def position(self, name: str) -> int:
        """The line where this module defines or imports ``name``; 0 when it does not."""
        for node in self.tree.body:
            if _defines(node, name) or (isinstance(node, ast.ImportFrom) and any(
                    (alias.asname or alias.name) == name for alias in node.names)):
                return node.lineno
        return 0

    def imported_from(self, name: str) -> str | None:
        """The module a module-level ``from ... import name`` takes ``name`` from."""
        for node in self.tree.body:
            if isinstance(node, ast.ImportFrom) and any(
                    (alias.asname or alias.name) == name for alias in node.names):
                return _absolute_module(self.module, node)
        return None


def _defines(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return node.name == name
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name) and node.target.id == name
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    return False


def _absolute_module(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.rsplit(".", node.level)[0]
    return f"{package}.{node.module}" if node.module else package


@functools.cache
def source_of(module: str) -> Source | None:
    """The source of ``module`` (imported first), or ``None`` when it has none."""
    try:
        path = inspect.getsourcefile(importlib.import_module(module))
    except (ImportError, TypeError):
        return None
    if path is None or not path.endswith(".py"):
        return None
    text = Path(path).read_text(encoding="utf-8")
    return Source(module, ast.parse(text), tuple(text.splitlines()))


def _class_node(cls: type) -> tuple[Source, ast.ClassDef] | None:
    source = source_of(cls.__module__)
    node = source.top(cls.__name__) if source else None
    return (source, node) if source and isinstance(node, ast.ClassDef) else None


# ------------------------------------------------------------------------ the names


@dataclasses.dataclass(frozen=True)
class Entry:
    """One public name: the module that exports it and where it is defined."""

    name: str
    #: The module of ``core.sdk`` the name is exported from (its section).
    topic: str
    obj: Any
    #: Where the name is defined, when that is Haat's own source.
    source: Source | None
    node: ast.stmt | None
    #: The module that defines it (another library's for a re-export).
    origin: str
    #: Where ``topic`` defines or imports it, for the order within a section.
    line: int


def entries() -> list[Entry]:
    """Every name of ``core.sdk.__all__``, resolved to its definition."""
    import core.sdk as sdk

    package = source_of("core.sdk")
    assert package is not None
    found = []
    for name in sdk.__all__:
        service = sdk._SERVICES.get(name)
        topic = f"core.sdk.{service}" if service else package.imported_from(name)
        if topic is None:
            raise LookupError(f"core.sdk.{name} is neither imported nor a service")
        found.append(_resolve(name, topic, getattr(sdk, name)))
    return found


def _resolve(name: str, topic: str, obj: Any) -> Entry:
    """Follow re-exports from ``topic`` to the module that defines ``name``."""
    home = source_of(topic)
    line = home.position(name) if home else 0
    module = topic
    for _hop in range(8):
        source = source_of(module) if module.split(".")[0] in OWN_PACKAGES else None
        node = source.top(name) if source else None
        if source is not None and node is not None:
            return Entry(name, topic, obj, source, node, module, line)
        following = source.imported_from(name) if source else None
        if following is None:
            break
        module = following
    return Entry(name, topic, obj, None, None, module, line)


def sections(found: Sequence[Entry]) -> list[tuple[str, list[Entry]]]:
    """``(title, entries)`` per module: the contract modules, then the services."""
    by_topic: dict[str, list[Entry]] = {}
    for entry in found:
        by_topic.setdefault(entry.topic, []).append(entry)
    import core.sdk as sdk

    services = {f"core.sdk.{m}" for m in sdk._SERVICES.values()}
    known = dict((*CONTRACT_TOPICS, *SERVICE_TOPICS))
    order = [m for m, _t in CONTRACT_TOPICS]
    order += sorted(m for m in by_topic if m not in known and m not in services)
    order += [m for m, _t in SERVICE_TOPICS]
    order += sorted(m for m in by_topic if m not in known and m in services)
    return [(known.get(module, f"`{module}`"),
             sorted(by_topic[module], key=lambda e: (e.line, e.name)))
            for module in order if module in by_topic]


# ------------------------------------------------------------------------ markdown


_ROLE = re.compile(r":(?:func|data|class|meth|attr|mod|exc|obj):`~?([^`]+)`")
_LITERAL = re.compile(r"``(.+?)``", re.S)


def _md(text: str, names: frozenset[str]) -> str:
    """reStructuredText-flavoured docs as Markdown: roles become code (linked when
    they name a public name), ``literals`` single backticks, ``::`` blocks fenced."""

    def role(match: re.Match[str]) -> str:
        target = match.group(1)
        last = target.rsplit(".", 1)[-1]
        if last in names:
            return f"[`{last}`](#{last.lower()})"
        return f"`{target}`"

    text = _ROLE.sub(role, text)
    text = _LITERAL.sub(lambda m: f"`{m.group(1)}`", text)
    return _escape_html("\n".join(_fence(text.splitlines())))


def _fence(lines: list[str]) -> Iterator[str]:
    """Turn a paragraph ending in ``::`` and the indented block after it into a
    fenced code block."""
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.rstrip().endswith("::"):
            yield line
            continue
        # ``text::`` shows "text:"; ``text ::`` and a bare ``::`` show no colon.
        shown = line.rstrip()[:-2]
        if shown.strip() and not shown.endswith(" "):
            yield shown + ":"
        elif shown.strip():
            yield shown.rstrip()
        block: list[str] = []
        while index < len(lines) and (not lines[index].strip()
                                      or lines[index].startswith((" ", "\t"))):
            block.append(lines[index])
            index += 1
        while block and not block[-1].strip():
            block.pop()
        body = inspect.cleandoc("\n".join(block))
        yield from ("", "```python", *body.splitlines(), "```", "")


def _escape_html(text: str) -> str:
    """Escape ``<`` and ``>`` outside code, so that ``<token>`` is shown, not eaten."""
    parts = re.split(r"(```.*?```|`[^`]*`)", text, flags=re.S)
    return "".join(part if part.startswith("`") else
                   part.replace("<", "&lt;").replace(">", "&gt;") for part in parts)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _code(text: str) -> str:
    text = " ".join(text.split())
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def _slug(title: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", title.replace("`", "").lower())
    return text.replace(" ", "-")


# ------------------------------------------------------------------------ classes


def _is_classvar(node: ast.AnnAssign) -> bool:
    """True for an attribute annotated ``ClassVar[...]`` (not a dataclass field)."""
    return ast.unparse(node.annotation).startswith(("ClassVar", "typing.ClassVar"))


def _own_fields(cls: type, node: ast.ClassDef) -> list[ast.AnnAssign]:
    names = {f.name for f in dataclasses.fields(cls)}
    return [item for item in node.body if isinstance(item, ast.AnnAssign)
            and isinstance(item.target, ast.Name) and item.target.id in names
            and not item.target.id.startswith("_")]


def _attributes(node: ast.ClassDef, *, classvars: bool) -> list[ast.AnnAssign]:
    return [item for item in node.body if isinstance(item, ast.AnnAssign)
            and isinstance(item.target, ast.Name) and not item.target.id.startswith("_")
            and _is_classvar(item) == classvars]


def _inherited_doc(cls: type, name: str) -> str:
    """The ``#:`` comment of attribute ``name`` in ``cls`` or its nearest base."""
    for klass in cls.__mro__:
        found = _class_node(klass)
        if found is None:
            continue
        source, node = found
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) \
                    and item.target.id == name:
                doc = source.comment(item)
                if doc:
                    return doc
    return ""


def _default(item: ast.AnnAssign, source: Source) -> str:
    value = item.value
    if value is None:
        return "*required*"
    if isinstance(value, ast.Call) and source.segment(value.func) in ("field",
                                                                      "dataclasses.field"):
        for keyword in value.keywords:
            if keyword.arg == "default_factory":
                factory = source.segment(keyword.value)
                return _code({"dict": "{}", "list": "[]", "tuple": "()"}.get(
                    factory, f"{factory}()"))
            if keyword.arg == "default":
                return _code(source.segment(keyword.value))
        return "*required*"
    return _code(source.segment(value))


def _methods(cls: type, node: ast.ClassDef) -> list[ast.FunctionDef]:
    """Public methods and properties defined in the class body; overrides without a
    docstring of their own are left out (the base documents them)."""
    shown = []
    for item in node.body:
        if not isinstance(item, ast.FunctionDef) or item.name.startswith("_"):
            continue
        overrides = any(item.name in vars(base) for base in cls.__mro__[1:]
                        if base is not object)
        if overrides and not ast.get_docstring(item):
            continue
        shown.append(item)
    return shown


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef, source: Source, *,
               method: bool) -> str:
    """``name(arguments) -> returns`` as written in the source, on one line; a method
    loses its ``self`` or ``cls``."""
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    pairs = list(zip(positional, defaults, strict=True))
    only = len(args.posonlyargs)
    if method and not _decorated(node, "staticmethod") and pairs:
        pairs, only = pairs[1:], max(only - 1, 0)
    parts = [_argument(arg, default, source) for arg, default in pairs]
    if only:
        parts.insert(only, "/")
    if args.vararg is not None:
        parts.append("*" + _argument(args.vararg, None, source))
    elif args.kwonlyargs:
        parts.append("*")
    parts += [_argument(arg, default, source)
              for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    if args.kwarg is not None:
        parts.append("**" + _argument(args.kwarg, None, source))
    returns = f" -> {source.segment(node.returns)}" if node.returns is not None else ""
    return f"{node.name}({', '.join(parts)}){returns}"


def _argument(arg: ast.arg, default: ast.expr | None, source: Source) -> str:
    text = arg.arg
    if arg.annotation is not None:
        text += f": {source.segment(arg.annotation)}"
    if default is not None:
        text += (" = " if arg.annotation is not None else "=") + source.segment(default)
    return text


def _decorated(node: ast.FunctionDef, name: str) -> bool:
    return any(ast.unparse(d) == name for d in node.decorator_list)


# ------------------------------------------------------------------------ rendering


class Renderer:
    """Builds the reference text for a list of entries."""

    def __init__(self, found: Sequence[Entry]) -> None:
        self.found = found
        self.names = frozenset(e.name for e in found)

    def md(self, text: str) -> str:
        """``text`` as Markdown, linking the public names it mentions."""
        return _md(text, self.names)

    def document(self) -> str:
        """The whole file: introduction, contents, then one section per module."""
        parts = [INTRODUCTION, "## Contents\n"]
        groups = sections(self.found)
        slugs = {e.name.lower() for e in self.found}
        for title, members in groups:
            if _slug(title) in slugs:
                raise ValueError(f"section {title!r} has the anchor of a name")
            links = ", ".join(f"[`{e.name}`](#{e.name.lower()})" for e in members)
            parts.append(f"- [{title.replace('`', '')}](#{_slug(title)}): {links}")
        parts.append("")
        for title, members in groups:
            parts.append(self.section(title, members))
        return "\n".join(parts).rstrip() + "\n"

    def section(self, title: str, members: Sequence[Entry]) -> str:
        """One module's section: its summary, then each of its names."""
        lines = [f"## {title}", ""]
        intro = _module_intro(members[0].topic)
        if intro:
            lines += [self.md(intro), ""]
        lines += [f"Source: `{members[0].topic.replace('.', '/')}.py`.", ""]
        for entry in members:
            lines.append(self.entry(entry).rstrip())
            lines.append("")
        return "\n".join(lines)

    def entry(self, entry: Entry) -> str:
        """One name's heading and body, by what it is."""
        head = f"### `{entry.name}`\n"
        node, obj = entry.node, entry.obj
        if node is None:
            note = EXTERNAL_NOTES.get(entry.name) or _first_paragraph(inspect.getdoc(obj))
            return f"{head}\nRe-exported from `{entry.origin}`. {self.md(note)}\n"
        if isinstance(node, ast.ClassDef) and isinstance(obj, type):
            if dataclasses.is_dataclass(obj):
                return head + self.dataclass(obj, node, entry.source)
            return head + self.plain_class(obj, node, entry.source)
        assert entry.source is not None
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return head + self.function(node, entry.source)
        return head + self.constant(node, entry.source)

    def docstring(self, node: ast.AST) -> str:
        """The docstring of ``node`` as a Markdown paragraph, or ``""``."""
        doc = ast.get_docstring(node)
        return f"\n{self.md(doc)}\n" if doc else ""

    def dataclass(self, cls: type, node: ast.ClassDef, source: Source) -> str:
        """A dataclass: its docstring, a table of its fields, its methods."""
        parts = [self.docstring(node)]
        bases = [b for b in cls.__mro__[1:-1] if dataclasses.is_dataclass(b)
                 and b.__name__ in self.names]
        own = _own_fields(cls, node)
        if bases:
            base = bases[0].__name__
            more = ", and:" if own else "."
            parts.append(f"\nTakes every field of [`{base}`](#{base.lower()}){more}\n")
        rows = ["", "| field | type | default | meaning |", "|---|---|---|---|"]
        for item in own:
            name = item.target.id
            doc = source.comment(item) or _inherited_doc(cls, name)
            rows.append(f"| `{name}` | {_cell(_code(source.segment(item.annotation)))} | "
                        f"{_cell(_default(item, source))} | {_cell(self.md(doc))} |")
        if len(rows) > 3:
            parts.append("\n".join(rows) + "\n")
        if not cls.__dataclass_params__.frozen:
            parts.append("\nNot frozen.\n")
        parts.append(self.class_attributes(cls, node, source))
        parts.append(self.methods(cls, node, source))
        return "".join(parts)

    def plain_class(self, cls: type, node: ast.ClassDef, source: Source) -> str:
        """A class or protocol: constructor, annotated attributes and methods."""
        parts = [self.docstring(node)]
        init = next((item for item in node.body if isinstance(item, ast.FunctionDef)
                     and item.name == "__init__"), None)
        if init is not None:
            signature = _signature(init, source, method=True).replace(
                "__init__", cls.__name__, 1)
            signature = signature.removesuffix(" -> None")
            parts.append(f"\n```python\n{signature}\n```\n{self.docstring(init)}")
        attributes = _attributes(node, classvars=False)
        if attributes:
            rows = ["", "| attribute | type | meaning |", "|---|---|---|"]
            for item in attributes:
                doc = source.comment(item)
                rows.append(f"| `{item.target.id}` | "
                            f"{_cell(_code(source.segment(item.annotation)))} | "
                            f"{_cell(self.md(doc))} |")
            parts.append("\n".join(rows) + "\n")
        parts.append(self.class_attributes(cls, node, source))
        parts.append(self.methods(cls, node, source))
        return "".join(parts)

    def class_attributes(self, cls: type, node: ast.ClassDef, source: Source) -> str:
        """The ``ClassVar`` attributes the class sets, with their values."""
        lines = []
        for item in _attributes(node, classvars=True):
            name = item.target.id
            value = f" = {source.segment(item.value)}" if item.value is not None else ""
            doc = source.comment(item)  # a base's words stay with the base
            lines.append(f"- `{name}{value}`" + (f": {self.md(doc)}" if doc else ""))
        return ("\nClass attributes:\n\n" + "\n".join(lines) + "\n") if lines else ""

    def methods(self, cls: type, node: ast.ClassDef, source: Source) -> str:
        """The public methods and properties, each with its signature and docstring."""
        lines = []
        for item in _methods(cls, node):
            if _decorated(item, "property"):
                returns = f" -> {source.segment(item.returns)}" if item.returns else ""
                head = f"`{item.name}{returns}` (property)"
            else:
                head = f"`{_signature(item, source, method=True)}`"
                for kind in ("classmethod", "staticmethod"):
                    if _decorated(item, kind):
                        head += f" ({kind.replace('method', ' method')})"
            doc = ast.get_docstring(item) or ""
            body = "\n".join(f"  {line}" if line else "" for line in
                             self.md(doc).splitlines())
            lines.append(f"- {head}" + (f"\n\n{body}" if body else ""))
        return ("\nMethods:\n\n" + "\n\n".join(lines) + "\n") if lines else ""

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, source: Source) -> str:
        """A function's signature and docstring."""
        signature = _signature(node, source, method=False)
        return f"\n```python\n{signature}\n```\n{self.docstring(node)}"

    def constant(self, node: ast.stmt, source: Source) -> str:
        """A constant's ``#:`` comment and its definition as written."""
        doc = source.comment(node)
        code = source.source(node)
        text = f"\n{self.md(doc)}\n" if doc else ""
        return f"{text}\n```python\n{code}\n```\n"


def _module_intro(module: str) -> str:
    source = source_of(module)
    return _first_paragraph(ast.get_docstring(source.tree) if source else None)


def _first_paragraph(doc: str | None) -> str:
    return (doc or "").strip().split("\n\n", 1)[0]


def render() -> str:
    """The whole reference, as ``docs/sdk-reference.md`` should hold it."""
    return Renderer(entries()).document()


# ------------------------------------------------------------------------ checks


def problems() -> list[str]:
    """What lacks documentation: dataclass fields and protocol attributes without a
    ``#:`` comment, and classes, functions, methods and constants without a docstring
    (or ``#:`` comment). Empty when everything is documented."""
    found: list[str] = []
    for entry in entries():
        if entry.node is None or entry.source is None:
            continue  # another library's name
        found += undocumented(entry)
    return found


def undocumented(entry: Entry) -> list[str]:
    """The undocumented parts of one public name."""
    node, obj, source, name = entry.node, entry.obj, entry.source, entry.name
    assert node is not None and source is not None
    if isinstance(node, ast.Assign | ast.AnnAssign):
        return [] if source.comment(node) else [f"{name}: no #: comment"]
    missing = [] if ast.get_docstring(node) else [
        f"{name}: no docstring"]
    if not isinstance(node, ast.ClassDef) or not isinstance(obj, type):
        return missing
    if dataclasses.is_dataclass(obj):
        attributes = _own_fields(obj, node)
    else:
        attributes = _attributes(node, classvars=False)
    missing += [f"{name}.{item.target.id}: no #: comment"
                for item in attributes
                if not (source.comment(item) or _inherited_doc(obj, item.target.id))]
    missing += [f"{name}.{item.name}: no docstring" for item in _methods(obj, node)
                if not ast.get_docstring(item)]
    return missing


def stale(path: Path = DEFAULT_FILE) -> list[str]:
    """A unified diff from ``path`` to the reference as it should be; empty when the
    file is up to date."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    return list(difflib.unified_diff(current.splitlines(), render().splitlines(),
                                     fromfile=str(path), tofile="generated", lineterm=""))


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m core.sdk.reference [--write | --check] [--file PATH]``."""
    parser = argparse.ArgumentParser(prog="python -m core.sdk.reference",
                                     description="Print the SDK reference (Markdown).")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="write it to the file")
    action.add_argument("--check", action="store_true",
                        help="exit 1 when the file differs from the code")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE,
                        help=f"the reference file (default: {DEFAULT_FILE})")
    options = parser.parse_args(argv)
    if options.write:
        options.file.write_text(render(), encoding="utf-8")
        print(f"wrote {options.file}")
        return 0
    if options.check:
        diff = stale(options.file)
        if not diff:
            print(f"{options.file} is up to date")
            return 0
        changed = sum(1 for line in diff[2:] if line[:1] in "+-")
        print(f"{options.file} is stale: {changed} lines differ. "
              "Run: python -m core.sdk.reference --write")
        print("\n".join(diff[:60]))
        return 1
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
