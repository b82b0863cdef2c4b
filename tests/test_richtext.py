"""Merchant descriptions: HTML sanitising, plain text extraction and plain text as HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from core.catalog.richtext import (
    description_html,
    editor_html,
    html_to_text,
    sanitize_editor_html,
    sanitize_html,
    text_to_html,
)

BENGALI = "হাতে সেলাই করা নকশি কাঁথা, খাঁটি সুতি। দাম ২,৫০০ টাকা।"
ARMENIAN = "Հայերեն գրքեր Երևանից։ Գինը՝ 5 000 դրամ։"

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="  javascript:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    "<svg onload=alert(1)><circle r=5 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<object data=evil.swf></object><embed src=evil.swf>",
    "<body onload=alert(1)>",
    '<div onmouseover="alert(1)">hover</div>',
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<form action=https://evil.example><input name=card><button>Pay</button></form>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<base href=https://evil.example/>",
    "<p>ok<!-- <script>alert(1)</script> --></p>",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="https://ok.example" onclick="alert(1)" target="_blank">ok</a>',
    "<img src=\"https://ok.example/a.png\">",
    "<style>body{display:none}</style><p>after</p>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<template><script>alert(1)</script></template>",
]

DANGEROUS = re.compile(
    r"<\s*(script|style|iframe|svg|math|object|embed|img|form|input|button|meta|link|base|body"
    r"|template|noscript)\b|\son\w+\s*=|javascript:|vbscript:|data:|style\s*=|srcdoc|target\s*=",
    re.IGNORECASE,
)


SAFE_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "s", "ul", "ol", "li", "h2", "h3",
             "h4", "blockquote", "a", "hr", "code", "pre", "span", "table", "thead", "tbody",
             "tr", "th", "td"}
SAFE_ATTRIBUTES = {"href", "title", "rel", "colspan", "rowspan"}


class TagCollector(HTMLParser):
    """What a browser would see as elements and attributes in the cleaned HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend(attrs)


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vectors_are_neutralised(vector: str) -> None:
    cleaned = sanitize_html(vector)
    assert not DANGEROUS.search(cleaned), cleaned
    seen = TagCollector()
    seen.feed(cleaned)
    assert seen.tags <= SAFE_TAGS, cleaned
    for name, value in seen.attributes:
        assert name in SAFE_ATTRIBUTES, cleaned
        if name == "href":
            assert (value or "").startswith(("https:", "http:", "mailto:", "tel:", "/", "#"))
    # description_html takes the same path for anything that looks like HTML.
    assert description_html(vector) == cleaned


def test_script_and_style_content_is_removed_not_shown() -> None:
    cleaned = sanitize_html("<p>before</p><script>var x = 1;</script><style>p{}</style>"
                            "<p>after</p>")
    assert cleaned == "<p>before</p><p>after</p>"


def test_iframe_and_svg_are_removed_with_their_content() -> None:
    assert sanitize_html("a<iframe>fallback</iframe>b<svg><text>drawn</text></svg>c") == "abc"


def test_event_handlers_and_style_attributes_go_but_the_element_stays() -> None:
    assert sanitize_html('<p style="color:red" onclick="x()" class="c" id="i">Hi</p>') == (
        "<p>Hi</p>"
    )


def test_formatting_is_kept() -> None:
    source = (
        "<h2>Care</h2><h3>Washing</h3><h4>Notes</h4>"
        "<p><strong>Hand</strong> <em>wash</em> <b>cold</b>, <i>dry</i> <u>flat</u> "
        "<s>tumble</s> <code>30°C</code><br>then iron.</p>"
        "<ul><li>one</li></ul><ol><li>two</li></ol>"
        "<blockquote>Lovely quilt!</blockquote><hr><pre>S  M  L</pre><span>plain</span>"
    )
    assert sanitize_html(source) == source


def test_size_chart_table_is_kept() -> None:
    source = (
        "<table><thead><tr><th colspan=\"2\">Size</th></tr></thead>"
        "<tbody><tr><td>M</td><td>96 cm</td></tr></tbody></table>"
    )
    assert sanitize_html(source) == source


def test_tables_without_tbody_are_normalised_by_the_parser() -> None:
    assert sanitize_html("<table><tr><td>M</td></tr></table>") == (
        "<table><tbody><tr><td>M</td></tr></tbody></table>"
    )


def test_unknown_tags_are_dropped_but_their_text_stays() -> None:
    assert sanitize_html("<h1>Title</h1><div>Body <font color=red>text</font></div>") == (
        "TitleBody text"
    )


@pytest.mark.parametrize("href", [
    "https://haat.example/kantha", "http://example.com/", "mailto:shop@example.com",
    "tel:+8801711000000", "/collections/quilts", "#sizes",
])
def test_links_keep_safe_urls_and_get_rel(href: str) -> None:
    cleaned = sanitize_html(f'<a href="{href}" title="More" target="_blank" rel="opener">x</a>')
    assert cleaned == f'<a href="{href}" title="More" rel="noopener noreferrer">x</a>'


@pytest.mark.parametrize("href", ["ftp://example.com/a", "sms:+123", "file:///etc/passwd"])
def test_links_with_other_schemes_lose_the_href(href: str) -> None:
    assert sanitize_html(f'<a href="{href}">x</a>') == '<a rel="noopener noreferrer">x</a>'


@pytest.mark.parametrize("text", [BENGALI, ARMENIAN, "Ünïcödé — “quoted” 😀"])
def test_non_latin_text_survives_unchanged(text: str) -> None:
    assert sanitize_html(f"<p>{text}</p>") == f"<p>{text}</p>"
    assert html_to_text(f"<p>{text}</p>") == text
    assert text_to_html(text) == f"<p>{text}</p>"
    assert description_html(text) == f"<p>{text}</p>"


def test_html_to_text_strips_tags_decodes_entities_and_collapses_whitespace() -> None:
    source = ("<h2>Care &amp; use</h2>\n\n<p>Wash&nbsp;cold,\n   dry   flat.</p>"
              "<ul><li>one</li><li>two</li></ul><p>5 &lt; 6 &#8212; &quot;ok&quot;</p>")
    assert html_to_text(source) == 'Care & use Wash cold, dry flat. one two 5 < 6 — "ok"'


def test_html_to_text_separates_blocks_but_not_inline_elements() -> None:
    assert html_to_text("<p>a</p><p>b</p>c<br>d<br/>e") == "a b c d e"
    assert html_to_text("<b>bold</b><i>ital</i>ic") == "bolditalic"
    assert html_to_text("<td>S</td><td>M</td>") == "S M"


def test_html_to_text_drops_script_style_and_comments() -> None:
    source = "<p>Hi</p><script>alert('x')</script><style>p{color:red}</style><!-- note -->"
    assert html_to_text(source) == "Hi"


def test_html_to_text_of_plain_text_and_empty() -> None:
    assert html_to_text("just words\n here") == "just words here"
    assert html_to_text("") == ""
    assert html_to_text("<p> </p>") == ""


def test_html_to_text_limit_cuts_at_a_word_boundary() -> None:
    text = "The quick brown fox jumps over the lazy dog"
    assert html_to_text(text, limit=100) == text
    assert html_to_text(text, limit=len(text)) == text
    assert html_to_text(text, limit=12) == "The quick…"
    assert html_to_text(text, limit=10) == "The quick…"  # the cut falls on a space
    assert html_to_text(text, limit=20) == "The quick brown fox…"
    for limit in range(1, len(text)):
        cut = html_to_text(text, limit=limit)
        assert len(cut) <= limit and cut.endswith("…")


def test_html_to_text_limit_drops_trailing_punctuation() -> None:
    assert html_to_text("<p>Hand made, cotton. Soft</p>", limit=12) == "Hand made…"
    assert html_to_text(BENGALI, limit=40).endswith("…")
    assert not html_to_text(BENGALI, limit=40)[:-1].endswith(("।", ","))
    assert html_to_text(ARMENIAN, limit=24) == "Հայերեն գրքեր Երևանից…"


def test_html_to_text_limit_cuts_a_single_long_word_hard() -> None:
    assert html_to_text("Supercalifragilistic", limit=8) == "Superca…"
    assert html_to_text("abc", limit=1) == "…"


def test_html_to_text_limit_counts_decoded_text() -> None:
    assert html_to_text("<p>Tom &amp; Jerry</p>", limit=11) == "Tom & Jerry"


def test_html_to_text_rejects_a_useless_limit() -> None:
    with pytest.raises(ValueError):
        html_to_text("text", limit=0)


def test_text_to_html_escapes_and_builds_paragraphs() -> None:
    text = "Size: 5 < 6 & \"big\"\nSecond line\n\n\nNew <b>paragraph</b>\r\n\r\n  \n\nLast"
    assert text_to_html(text) == (
        "<p>Size: 5 &lt; 6 &amp; &quot;big&quot;<br>Second line</p>\n"
        "<p>New &lt;b&gt;paragraph&lt;/b&gt;</p>\n"
        "<p>Last</p>"
    )


def test_text_to_html_of_blank_text_is_empty() -> None:
    assert text_to_html("") == ""
    assert text_to_html("\n \n\t\n") == ""


def test_description_html_chooses_by_content() -> None:
    assert description_html("<p>Hi <b>there</b></p>") == "<p>Hi <b>there</b></p>"
    # A stray end tag counts as HTML; the HTML5 parser turns "</p>" into an empty paragraph.
    assert description_html("</p>stray") == "<p></p>stray"
    assert description_html("3 < 4 and 5 > 2\nok") == "<p>3 &lt; 4 and 5 &gt; 2<br>ok</p>"
    assert description_html("a <3 b") == "<p>a &lt;3 b</p>"
    assert description_html("Tom & Jerry") == "<p>Tom &amp; Jerry</p>"
    assert description_html("") == ""


def test_description_html_of_plain_text_script_is_escaped() -> None:
    # "< script" does not look like a tag, so it is escaped as text.
    assert description_html("< script>alert(1)") == "<p>&lt; script&gt;alert(1)</p>"


# ------------------------------------------------ the admin's rich-text editor (Trix)


@pytest.mark.parametrize(("written", "stored"), [
    # Trix's paragraphs are <div>s; a blank line is an empty one.
    ("<div>One <strong>bold</strong><br>line</div><div><br></div><div>Two</div>",
     "<p>One <strong>bold</strong><br>line</p><p>Two</p>"),
    ("<h1>Care</h1><div><em>Cold</em> wash</div>", "<h2>Care</h2><p><em>Cold</em> wash</p>"),
    ("<ul><li><del>Iron</del></li></ul><ol><li>Dry</li></ol>",
     "<ul><li><s>Iron</s></li></ul><ol><li>Dry</li></ol>"),
    ("<blockquote>Soft</blockquote><pre>40 x 60</pre>",
     "<blockquote>Soft</blockquote><pre>40 x 60</pre>"),
    ('<div><a href="https://example.com">guide</a></div>',
     '<p><a href="https://example.com" rel="noopener noreferrer">guide</a></p>'),
    # Pasted markup: a <div> around blocks goes, its content stays.
    ("<div><div>inner</div><ul><li>a</li></ul></div>", "<p>inner</p><ul><li>a</li></ul>"),
    ("<div>text<br><br></div>", "<p>text</p>"),
])
def test_what_the_editor_writes_is_stored_as_themes_style_it(written: str, stored: str) -> None:
    assert sanitize_editor_html(written) == stored


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_the_editor_path_neutralises_xss_too(vector: str) -> None:
    cleaned = sanitize_editor_html(f"<div>{vector}</div>")
    assert "<script" not in cleaned.lower() and "javascript:" not in cleaned.lower()
    assert "onerror" not in cleaned.lower() and "onload" not in cleaned.lower()


def test_the_editor_reads_descriptions_in_its_own_markup() -> None:
    assert editor_html("<p>One</p><h2>Care</h2><h3>More</h3>") == (
        "<div>One</div><h1>Care</h1><h1>More</h1>")
    assert editor_html("First.\n\nSecond & third") == (
        "<div>First.</div>\n<div>Second &amp; third</div>")
    assert sanitize_editor_html(editor_html("<p>One</p><h2>Care</h2>")) == (
        "<p>One</p><h2>Care</h2>")  # a round trip changes nothing
