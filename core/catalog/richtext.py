"""Merchant-written descriptions: sanitised HTML, plain text, and plain text as HTML.

A description may be HTML from the admin editor or plain text (the demo catalogue, CSV
imports). ``description_html`` turns either into HTML that is safe to mark up; the other
functions serve meta descriptions, search and the editor.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "em", "b", "i", "u", "s", "ul", "ol", "li", "h2", "h3", "h4",
    "blockquote", "a", "hr", "code", "pre", "span",
    "table", "thead", "tbody", "tr", "th", "td",  # size charts
})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    # Size charts often have a header cell spanning several columns.
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Dropped with everything inside them; other unknown tags are dropped but keep their text.
REMOVED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "object", "noscript", "template", "svg", "math", "title",
})
LINK_REL = "noopener noreferrer"

_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Elements that start a new line of text, so "<p>a</p><p>b</p>" reads "a b", not "ab".
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "ul",
})
# Trailing punctuation dropped before the ellipsis; includes the Bengali danda and the
# Armenian full stop and comma.
_TRAILING = " \t,;:.-–—।։՝"
ELLIPSIS = "…"

# Built once: a Cleaner holds the compiled rules and is meant to be reused.
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(REMOVED_WITH_CONTENT),
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=set(URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)


def sanitize_html(html: str) -> str:
    """Keep only safe formatting, links and tables from merchant HTML.

    Event handlers, ``style``/``class``/``id`` attributes and unknown tags are removed
    (their text stays); scripts, styles, frames, SVG and MathML go with their content.
    Links may use http, https, mailto or tel, or be relative, and get
    ``rel="noopener noreferrer"``.
    """
    return _CLEANER.clean(html)


# What the admin's rich-text editor (Trix) writes beyond ALLOWED_TAGS: a <div> per
# paragraph (a blank line is <div><br></div>), <h1> for its one heading size and <del>
# for strike-through. They are accepted from the editor and stored as the tags the
# themes style: <p>, <h2> (the page's <h1> is the product's title) and <s>.
_EDITOR_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS | {"div", "h1", "del"}),
    clean_content_tags=set(REMOVED_WITH_CONTENT),
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=set(URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)
_RENAMES = {"h1": "h2", "del": "s"}
_RENAME = re.compile(r"<(/?)(h1|del)>")
# A <div> holding only text and inline elements (the innermost first).
_INLINE_DIV = re.compile(
    r"<div>((?:[^<]|<(?!/?(?:div|p|ul|ol|li|h[1-6]|blockquote|pre|table|hr)\b)[^>]*>)*)</div>")
_ANY_DIV = re.compile(r"</?div>")
_BREAKS_AT_END = re.compile(r"(?:\s*<br>)+\s*</p>")
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\xa0|<br>)*</p>")


def sanitize_editor_html(html: str) -> str:
    """:func:`sanitize_html` for what the admin's editor sends: its paragraphs (``<div>``)
    become ``<p>`` (empty ones, the editor's blank lines, are dropped), its heading
    (``<h1>``) an ``<h2>`` and its strike-through (``<del>``) ``<s>``. A ``<div>`` around
    other blocks (pasted HTML) is dropped and its content kept."""
    html = _EDITOR_CLEANER.clean(html)  # normalised: lowercase tags, no attributes on these
    html = _RENAME.sub(lambda m: f"<{m[1]}{_RENAMES[m[2]]}>", html)
    while True:
        html, count = _INLINE_DIV.subn(r"<p>\1</p>", html)
        if not count:
            break
    html = _ANY_DIV.sub("", html)
    html = _BREAKS_AT_END.sub("</p>", html)
    html = _EMPTY_PARAGRAPH.sub("", html)
    return sanitize_html(html).strip()


_EDITOR_BLOCKS = re.compile(r"<(/?)(p|h[2-6])>")


def editor_html(value: str) -> str:
    """A description (HTML or plain text) as the admin's editor (Trix) reads it back:
    paragraphs as ``<div>`` (a ``<p>`` has margins, which Trix would turn into blank
    lines) and headings as its one heading, ``<h1>``. :func:`sanitize_editor_html`
    turns them back when the merchant saves."""
    return _EDITOR_BLOCKS.sub(lambda m: f"<{m[1]}{'div' if m[2] == 'p' else 'h1'}>",
                              description_html(value))


def html_to_text(html: str, limit: int | None = None) -> str:
    """Plain text of an HTML fragment: tags removed, entities decoded, whitespace collapsed.

    With ``limit``, text longer than ``limit`` characters is cut at a word boundary and
    ends with "…"; the result, ellipsis included, is at most ``limit`` characters.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be positive: {limit}")
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = " ".join("".join(parser.pieces).split())
    if limit is None or len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace():
        # Mid-word: go back to the last space, unless the first word alone is too long.
        space = cut.rfind(" ")
        if space > 0:
            cut = cut[:space]
    cut = cut.rstrip(_TRAILING) or text[: limit - 1]
    return cut + ELLIPSIS


def text_to_html(text: str) -> str:
    """Plain text as HTML: blank lines separate ``<p>`` paragraphs, single newlines become
    ``<br>``, and everything is escaped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    for block in _BLANK_LINE.split(text):
        lines = [escape(line.strip()) for line in block.strip().split("\n")]
        if any(lines):
            paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
    return "\n".join(paragraphs)


def description_html(value: str) -> str:
    """Safe HTML for a product description that may be HTML or plain text."""
    if _LOOKS_LIKE_HTML.search(value):
        return sanitize_html(value)
    return text_to_html(value)


class _TextExtractor(HTMLParser):
    """Collects text, with a space at block boundaries, skipping non-content elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in REMOVED_WITH_CONTENT:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.pieces.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <hr/>, and self-closed <svg/> that would otherwise never be closed.
        if tag in _BLOCK_TAGS:
            self.pieces.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in REMOVED_WITH_CONTENT:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.pieces.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.pieces.append(data)
