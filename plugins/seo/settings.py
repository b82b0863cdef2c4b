"""The SEO plugin's settings: fields, their checks, and parsing the two text areas."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.sdk import BoolField, LongTextField, RobotsRule, TextField, UrlField

from .i18n import _
from .text import DEFAULT_PATTERN, DESCRIPTION_LIMIT, pattern_problem

MAX_VERIFICATION_TAGS = 20
MAX_ROBOTS_LINES = 100

#: Meta names the plugin or the theme writes itself; a verification line may not take them.
RESERVED_NAMES = frozenset({"title", "description", "robots", "viewport", "theme-color",
                            "googlebot", "referrer", "generator"})
_META_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._:-]{0,99}$")
_META_CONTENT = re.compile(r"^[A-Za-z0-9._:/+=-]{1,300}$")
#: ``name: content``; the name may itself hold a colon (Pinterest's ``p:domain_verify``).
_NAME_CONTENT = re.compile(r"^(?P<name>[^\s:][^\s]*?)\s*:\s+(?P<content>.*)$")
_NAME_CONTENT_TIGHT = re.compile(r"^(?P<name>[^\s:]+?):(?P<content>[^\s:].*)$")
#: A whole ``<meta name="..." content="...">`` tag pasted from a search console.
_META_TAG = re.compile(
    r"""^<meta\s+name\s*=\s*["'](?P<name>[^"']*)["']\s+content\s*=\s*["'](?P<content>"""
    r"""[^"']*)["']\s*/?>$""", re.IGNORECASE)

_ROBOTS_LINE = re.compile(r"^(?P<key>user-agent|allow|disallow)\s*:\s*(?P<value>.*)$",
                          re.IGNORECASE)
_USER_AGENT = re.compile(r"^[A-Za-z0-9*][A-Za-z0-9._*/-]{0,99}$")
_HANDLE = re.compile(r"^@?(?P<handle>[A-Za-z0-9_]{1,15})$")


# ------------------------------------------------------------- verification tags


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield number, line


def _verification_line(line: str) -> tuple[str, str]:
    """``(name, content)`` of one line, or raise ``ValueError`` with the reason (in the
    language of the moment)."""
    found = (_META_TAG.match(line) or _NAME_CONTENT.match(line)
             or _NAME_CONTENT_TIGHT.match(line))
    if not found:
        raise ValueError(_("write it as name: content, e.g. google-site-verification: abc123"))
    name, content = found["name"].strip(), found["content"].strip()
    if not _META_NAME.match(name):
        raise ValueError(_("“%(name)s” is not a meta tag name (letters, digits, - . _ :)",
                           name=name))
    if name.lower() in RESERVED_NAMES or name.lower().startswith(("og:", "twitter:")):
        raise ValueError(_("“%(name)s” is written by the SEO plugin itself", name=name))
    if not _META_CONTENT.match(content):
        raise ValueError(_("the code may only hold letters, digits and - _ . : / + ="))
    return name, content


def parse_verification_tags(text: str) -> list[tuple[str, str]]:
    """The ``(name, content)`` pairs of the verification setting (bad lines skipped)."""
    found = []
    for _number, line in _lines(text):
        try:
            found.append(_verification_line(line))
        except ValueError:
            continue
    return found[:MAX_VERIFICATION_TAGS]


def check_verification_tags(text: str) -> str | None:
    problems = []
    count = 0
    for number, line in _lines(text):
        count += 1
        try:
            _verification_line(line)
        except ValueError as exc:
            problems.append(_("Line %(line)s: %(problem)s.", line=number, problem=str(exc)))
    if count > MAX_VERIFICATION_TAGS:
        problems.append(_("Use at most %(num)s lines.", num=MAX_VERIFICATION_TAGS))
    return " ".join(problems[:3]) or None


# ------------------------------------------------------------------ robots rules


def _robots_lines(text: str) -> Iterator[tuple[int, str, str]]:
    """``(line number, directive, value)``; raises ``ValueError`` on a bad line, with the
    reason in the language of the moment."""
    for number, line in _lines(text):
        found = _ROBOTS_LINE.match(line)
        if not found:
            raise ValueError(_("Line %(line)s: start it with Allow:, Disallow: or "
                               "User-agent:.", line=number))
        key, value = found["key"].lower(), found["value"].strip()
        if key == "user-agent":
            if not _USER_AGENT.match(value):
                raise ValueError(_("Line %(line)s: name a crawler, e.g. User-agent: GPTBot.",
                                   line=number))
        elif not value.startswith("/") or any(c.isspace() for c in value) or len(value) > 500:
            raise ValueError(_("Line %(line)s: give a path that starts with /, e.g. "
                               "Disallow: /pages/draft.", line=number))
        yield number, key, value


def parse_robots_rules(text: str) -> list[RobotsRule]:
    """The merchant's extra rules as ``RobotsRule`` objects, grouped by user agent.

    Rules before any ``User-agent:`` line are for every crawler (``*``). Unreadable
    text (only possible for settings saved before a check existed) gives no rules.
    """
    try:
        lines = list(_robots_lines(text))[:MAX_ROBOTS_LINES]
    except ValueError:
        return []
    groups: dict[str, tuple[list[str], list[str]]] = {}
    agent = "*"
    for _number, key, value in lines:
        if key == "user-agent":
            agent = value
            continue
        allow, disallow = groups.setdefault(agent, ([], []))
        (allow if key == "allow" else disallow).append(value)
    return [RobotsRule(user_agent=name, allow=tuple(a), disallow=tuple(d))
            for name, (a, d) in groups.items()]


def check_robots_rules(text: str) -> str | None:
    try:
        lines = list(_robots_lines(text))
    except ValueError as exc:
        return str(exc)
    if len(lines) > MAX_ROBOTS_LINES:
        return _("Use at most %(num)s rules.", num=MAX_ROBOTS_LINES)
    if lines and lines[-1][1] == "user-agent":
        return _("Put at least one Allow: or Disallow: line after the last User-agent: line.")
    return None


# ------------------------------------------------------------------ other checks


def check_https(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        return _("Use a full https:// address (social sites refuse plain http images).")
    return None


def twitter_handle(value: str) -> str:
    """``@name`` for a handle typed with or without the ``@`` ("" when invalid or empty)."""
    found = _HANDLE.match((value or "").strip())
    return f"@{found['handle']}" if found else ""


def check_twitter_handle(value: str) -> str | None:
    if _HANDLE.match(value.strip()):
        return None
    return _("Use your X (Twitter) handle: up to 15 letters, digits or _, e.g. @dhakacrafts.")


# ------------------------------------------------------------------------ fields


FIELDS = (
    TextField(
        "title_pattern", _.lazy("Title pattern"), default=DEFAULT_PATTERN, max_length=120,
        help=_.lazy("How page titles are written. {title} is the product, collection or "
                    "page name, {store} your store's name, e.g. {title} | {store}. Titles "
                    "are kept under about 70 characters; a long product name is shortened "
                    "at a word."),
        validators=(pattern_problem,)),
    TextField(
        "home_title", _.lazy("Home page title"), max_length=70,
        help=_.lazy("The title of your home page in search results. Leave empty to use "
                    "your store's name.")),
    LongTextField(
        "default_description", _.lazy("Default description"), max_length=DESCRIPTION_LIMIT,
        help=_.lazy("One or two sentences about your store (at most 160 characters). Shown "
                    "for your home page, and added to pages whose content has no text of "
                    "its own.")),
    UrlField(
        "social_image", _.lazy("Social sharing image"),
        help=_.lazy("An https:// address of an image (1200 × 630 pixels works best) shown "
                    "when a page without its own picture is shared on Facebook, WhatsApp "
                    "or X."),
        validators=(check_https,)),
    TextField(
        "twitter_handle", _.lazy("X (Twitter) handle"), max_length=16,
        help=_.lazy("Optional, e.g. @dhakacrafts: named as the site on X cards."),
        validators=(check_twitter_handle,)),
    LongTextField(
        "verification_tags", _.lazy("Site verification tags"), max_length=4000,
        help=_.lazy("One per line as name: content, copied from Google Search Console, "
                    "Bing Webmaster Tools, Yandex, Pinterest or Facebook, e.g. "
                    "google-site-verification: abc123. A pasted <meta> tag works too."),
        validators=(check_verification_tags,)),
    BoolField(
        "noindex_store", _.lazy("Hide the whole store from search engines"),
        help=_.lazy("For a store under construction: every page asks search engines not "
                    "to list it (noindex), and the sitemap is left empty. Crawlers may "
                    "still visit, because they must read that request. Untick it when you "
                    "open.")),
    LongTextField(
        "robots_rules", _.lazy("Extra robots.txt rules"), max_length=4000,
        help=_.lazy("Optional lines added to your robots.txt, each Allow: /path or "
                    "Disallow: /path; a User-agent: line starts rules for one crawler, "
                    "e.g. User-agent: GPTBot then Disallow: /. The cart, checkout, admin "
                    "and search are always kept out."),
        validators=(check_robots_rules,)),
)


@dataclass(frozen=True)
class Settings:
    """A store's SEO settings, read once per hook call."""

    title_pattern: str = DEFAULT_PATTERN
    home_title: str = ""
    default_description: str = ""
    social_image: str = ""
    twitter_handle: str = ""
    verification_tags: tuple[tuple[str, str], ...] = ()
    noindex_store: bool = False
    robots_rules: tuple[RobotsRule, ...] = ()

    @classmethod
    def of(cls, values: dict) -> Settings:
        pattern = values.get("title_pattern") or DEFAULT_PATTERN
        image = values.get("social_image") or ""
        return cls(
            title_pattern=DEFAULT_PATTERN if pattern_problem(pattern) else pattern,
            home_title=values.get("home_title") or "",
            default_description=values.get("default_description") or "",
            social_image=image if image and not check_https(image) else "",
            twitter_handle=twitter_handle(values.get("twitter_handle") or ""),
            verification_tags=tuple(parse_verification_tags(
                values.get("verification_tags") or "")),
            noindex_store=bool(values.get("noindex_store")),
            robots_rules=tuple(parse_robots_rules(values.get("robots_rules") or "")),
        )
