"""The merchant's wallets, one per line of the ``wallets`` setting, and the instructions.

A line is ``Name | number`` or ``Name | number | note``, e.g.
``bKash | 01712-345678 | Personal account: use Send Money``. Each wallet becomes a way
to pay with the id ``wallet-<slug of name>`` (``wallet-bkash``), so the name needs a
Latin letter or digit and must be unique. The instructions template may use
``{wallet}``, ``{number}`` and ``{amount}`` and nothing else; it is filled in by hand,
never with ``str.format``, so merchant text cannot reach object attributes. The checks'
messages are in the merchant's language (the admin's, when the settings form is sent).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter

from .texts import _

PLACEHOLDERS = ("wallet", "number", "amount")
MAX_NAME = 40
MAX_NOTE = 200
_NUMBER = re.compile(r"^\+?[0-9]{5,15}$")
_NUMBER_PUNCTUATION = re.compile(r"[\s().-]")


def slugify(name: str) -> str:
    """Lower-case ASCII letters and digits joined by hyphens (``"Rocket (DBBL)"`` ->
    ``"rocket-dbbl"``)."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))


@dataclass(frozen=True)
class Wallet:
    """One of the merchant's wallets."""

    name: str
    number: str
    note: str = ""

    @property
    def gateway_id(self) -> str:
        """The way-to-pay id, e.g. ``wallet-bkash``."""
        return f"wallet-{slugify(self.name)}"


def line_problems(line: str, line_no: int, seen: dict[str, int]) -> list[str]:
    """What is wrong with the wallet line ``line`` (number ``line_no``); ``seen`` maps the
    names already listed to their line."""
    parts = [part.strip() for part in line.split("|")]
    if len(parts) not in (2, 3):
        return [_("Line %(line)s: write “Name | number” or “Name | number | note”, e.g. "
                  "“bKash | 01712345678 | Personal account”.", line=line_no)]
    name, number = parts[0], parts[1]
    note = parts[2] if len(parts) == 3 else ""
    problems = []
    if not name:
        problems.append(_("Line %(line)s: the wallet's name is missing.", line=line_no))
    elif not slugify(name):
        problems.append(_("Line %(line)s: the name needs a Latin letter or digit, e.g. bKash.",
                          line=line_no))
    elif len(name) > MAX_NAME:
        problems.append(_("Line %(line)s: keep the name to %(max)s characters.",
                          line=line_no, max=MAX_NAME))
    elif slugify(name) in seen:
        problems.append(_("Line %(line)s: “%(name)s” is already listed on line %(first)s.",
                          line=line_no, name=name, first=seen[slugify(name)]))
    if not _NUMBER.match(_NUMBER_PUNCTUATION.sub("", number)):
        problems.append(_("Line %(line)s: “%(number)s” is not a wallet number; use 5 to 15 "
                          "digits, e.g. 01712345678.", line=line_no, number=number))
    if len(note) > MAX_NOTE:
        problems.append(_("Line %(line)s: keep the note to %(max)s characters.",
                          line=line_no, max=MAX_NOTE))
    return problems


def parse_wallets(value: str | None) -> tuple[list[Wallet], list[str]]:
    """The wallets on valid lines, and a message for each invalid line (blank lines are
    skipped)."""
    wallets: list[Wallet] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line_no, raw in enumerate((value or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        found = line_problems(line, line_no, seen)
        if found:
            problems += found
            continue
        parts = [part.strip() for part in line.split("|")]
        wallet = Wallet(parts[0], parts[1], parts[2] if len(parts) == 3 else "")
        seen[slugify(wallet.name)] = line_no
        wallets.append(wallet)
    return wallets, problems


def check_wallets(value: str) -> str | None:
    """A settings validator: every line must be a wallet."""
    problems = parse_wallets(value)[1]
    return " ".join(problems) if problems else None


def _pieces(template: str) -> list[tuple[str, str | None, str | None, str | None]]:
    return list(Formatter().parse(template))


def check_template(value: str) -> str | None:
    """A settings validator for the instructions template."""
    allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    try:
        pieces = _pieces(value)
    except ValueError:
        return _("Braces must surround a placeholder: %(allowed)s. Write {{ for a brace.",
                 allowed=allowed)
    for _literal, name, spec, conversion in pieces:
        if name is not None and (name not in PLACEHOLDERS or spec or conversion):
            return _("Unknown placeholder {%(name)s}. Use only %(allowed)s.",
                     name=name, allowed=allowed)
    return None


def render(template: str, values: Mapping[str, str]) -> str | None:
    """``template`` with its placeholders filled in, or None when it is not valid."""
    if check_template(template):
        return None
    return "".join(literal + (values[name] if name is not None else "")
                   for literal, name, _spec, _conversion in _pieces(template))
