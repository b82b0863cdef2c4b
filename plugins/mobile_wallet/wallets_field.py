"""The wallets setting as rows of a form: name, number and note for each wallet.

What is stored stays the lines ``Name | number | note`` (``wallets.py``), so checkout
and stores set up before the form read it as before; the form writes those lines and
reads them back. Spare empty rows let a merchant add a wallet without JavaScript.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from core.sdk import FieldError, WidgetContext, WidgetField, ascii_digits

from .texts import _
from .wallets import line_problems, slugify

#: Empty rows shown to fill in; the most rows a post is read for.
SPARE_ROWS = 2
MAX_ROWS = 20
#: The wallets merchants in each country use, offered as names to choose from.
KNOWN_WALLETS = {"BD": ("bKash", "Nagad", "Rocket", "Upay", "Tap", "SureCash"),
                 "AM": ("Idram", "TelCell", "EasyPay", "FastShift")}
_BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


@dataclass
class WalletRow:
    """One wallet as typed: every value a string."""

    name: str = ""
    number: str = ""
    note: str = ""

    @property
    def empty(self) -> bool:
        return not (self.name or self.number or self.note)

    @property
    def line(self) -> str:
        parts = [self.name, self.number] + ([self.note] if self.note else [])
        return " | ".join(parts)


@functools.cache
def _templates() -> Environment:
    return Environment(loader=PackageLoader(__package__, "templates"),
                       autoescape=select_autoescape(default=True), trim_blocks=True,
                       lstrip_blocks=True)


def rows_from_text(value: str) -> list[WalletRow]:
    """The rows of the stored lines (a line that does not read is kept whole in the
    name, so the merchant sees it and its message)."""
    rows = []
    for raw in (value or "").splitlines():
        if not raw.strip():
            continue
        parts = [part.strip() for part in raw.split("|")]
        if len(parts) in (2, 3):
            rows.append(WalletRow(parts[0], parts[1], parts[2] if len(parts) == 3 else ""))
        else:
            rows.append(WalletRow(raw.strip()))
    return rows


def row_problems(rows: list[WalletRow]) -> dict[int, list[str]]:
    """Each row's problems, by its position among the rows (empty rows are skipped)."""
    found: dict[int, list[str]] = {}
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row.empty:
            continue
        if "|" in row.name or "|" in row.number or "|" in row.note:
            found[index] = [_("Line %(line)s: write “Name | number” or “Name | number | "
                              "note”, e.g. “bKash | 01712345678 | Personal account”.",
                              line=index + 1)]
            continue
        problems = line_problems(row.line, index + 1, seen)
        if problems:
            found[index] = problems
        elif slugify(row.name):
            seen[slugify(row.name)] = index + 1
    return found


@dataclass(frozen=True)
class WalletsField(WidgetField):
    """The merchant's wallets as rows; stored as ``Name | number | note`` lines."""

    def to_form(self, value: Any, *, currency: str = "USD") -> Any:
        return rows_from_text(value if isinstance(value, str) else "")

    def read_form(self, form: Any) -> Any:
        if f"{self.name}-0-name" not in form:  # the lines themselves (an older form, a script)
            return form.get(self.name)
        return [WalletRow(name=form.get(f"{self.name}-{n}-name", "").strip(),
                          number=ascii_digits(form.get(f"{self.name}-{n}-number", "").strip()),
                          note=form.get(f"{self.name}-{n}-note", "").strip())
                for n in range(MAX_ROWS) if f"{self.name}-{n}-name" in form]

    def _parse(self, raw: Any, *, currency: str) -> Any:
        if raw is None or isinstance(raw, str):
            return (raw or "").strip()
        rows = [row for row in raw if not row.empty]
        if row_problems(rows):
            raise FieldError(_("Some wallets need fixing: the problems are shown next to "
                               "them."))
        return "\n".join(row.line for row in rows)

    def render(self, context: WidgetContext) -> str:
        rows = context.value if isinstance(context.value, list) else \
            rows_from_text(str(context.value or ""))
        problems = row_problems(rows) if context.error else {}
        store = context.store
        locale = context.locale

        def gettext(message: str, **variables: Any) -> str:
            return _.gettext(message, locale=locale, **variables)

        def digits(text: str) -> str:
            return text.translate(_BENGALI_DIGITS) if store.bengali_digits else text

        shown = [*rows, *(WalletRow() for _n in range(SPARE_ROWS))]
        html = _templates().get_template("wallets_form.html").render(
            _=gettext, name=self.name, id=context.id, rows=shown, own=len(rows),
            problems=problems, digits=digits, describedby=context.describedby or "",
            known=KNOWN_WALLETS.get(store.country, ()))
        return Markup(html)  # noqa: S704 - rendered by an autoescaping environment
