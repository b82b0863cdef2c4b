"""Every admin page in Bengali and in Armenian, walked through the URL map: no interface
string may be left in English.

Each store is seeded with one row of each kind the admin edits (as the access walk
does) and an order with a timeline, every GET page of /admin and every installed
plugin's settings page is opened, and the text a merchant reads is taken from it: text
between tags, and the ``placeholder``, ``title``, ``aria-label`` and ``alt`` attributes.
Merchant content is not an interface string: the seeded rows carry the mark ``zq``, and
the shared helpers' variant "Small" and order line "Thing" are set aside, as are names
of other products (Stripe, bKash), codes, addresses and example values (``NOT_WORDS``).
Whatever Latin words remain are English left untranslated.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from admin.test_access import admin_rules, fill, seed
from admin_support import sign_in
from core.db import db
from core.orders import service
from core.orders.models import Order
from tenants import tenant_scope

MARK = "zq"
#: Text that is not an interface string: product and company names, codes, units,
#: hostnames and addresses, the marks of the seeded rows.
NOT_WORDS = re.compile(
    r"""(?x)
    # Couriers' and gateways' own panel words, quoted so merchants find them there.
    \b(?:Pathao\ Courier|Merchant\ API\ Credentials|Developer's\ API|Webhook\ Integration
        |Bearer|Stores|Client\ ID|Client\ secret|app\ key|app\ secret|[Ss]andbox|_api|cron
        |callback)\b | \(store\) |
    \b(?:Messaging\ Service|Auth\ Token|Account\ SID|Account\ Info|ISMS\ Plus|SID|MG
        |Developers|API\ keys|Webhooks|User-agent|Allow|Disallow|robots\.txt|X\ \(Twitter\)
        |Twitter|OpenStreetMap|Dhaka|Yerevan|pk_live_|pk_test_|sk_live_|sk_test_|whsec_
        |GPTBot|Google\ Search\ Console|Bing\ Webmaster\ Tools|Search\ Console|masking
        |non-masking|AC|name:\ content|Checkout\ Sessions|Refunds|endpoint|live|test
        |SWIFT|BIC|IBAN|BRAC\ Bank|Ameriabank|Idram|API\ keys|Wireless|Yandex|Pinterest
        |Stripe\ Checkout|noindex|rk_|google-site-verification|abc123|meta
        |outside-dhaka|inside-dhaka|configured|haat-[\w-]+|haat|[Ww]ebhook|sitemap)\b
        | \S*@\S+ | https?://\S* | \S+\.(?:localhost|example|com|bd|am)\S* | /\S*
    | \b(?:Small|Thing|Size|Pay\ on\ delivery|shop)\b | \b[A-Z]+-\d+\b
    | \bEnglish\b | \b[A-Z]{3}\b | \bUTF-8\b | \.(?:mp4|webm|csv)\b
    | \b(?:YouTube|Vimeo|Shopify|WooCommerce|Ctrl\+P|Print|Share|host)\b
    | “[^”]*” | «[^»]*» | \b[AP]M\b
    | \{\w+\}
    | \b(?:Haat|Stripe|SSLCommerz|bKash|Nagad|Rocket|Upay|Twilio|SSL\s?Wireless|Meilisearch
        |Pathao|Steadfast|RedX|HayPost|Google|Excel|Sheets|WhatsApp|Facebook|Instagram
        |Lighthouse|Chromium|Playwright|PostgreSQL|SQLite|Redis|Unicode|Jinja
        |ArCa|iPay|vPOS|Visa|Mastercard|Tokenized\ Checkout)\b
    | \b(?:CSV|SMS|URL|URLs|HTML|JSON|API|SEO|UTC|ID|IDs|OK|PDF|PNG|JPEG|WebP|GIF|SVG|CSS
        |DNS|CNAME|TXT|A|AAAA|SKU|GTIN|VAT|TIN|BIN|COD|HTTP|HTTPS|SMTP|IPN|RGB|ISO)\b
    | \b(?:BD|AM|IN|US|GB)\b
    | \b[A-Z][a-z]+/[A-Z][A-Za-z_]+\b
    | \{\{.*?\}\} | \{%.*?%\} | %\(\w+\)s
    | \b\d+(?:[.,:]\d+)*\s?(?:px|kg|g|ms|MB|KB|x)?\b
    """)
#: Merchant content in the store's own language.
STORE_NAMES = {"bn": "নকশি ঘর", "hy": "Գրքերի տուն"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
SKIPPED_TAGS = {"script", "style", "textarea", "code", "pre", "kbd", "samp"}


class _Text(HTMLParser):
    """The strings a reader sees, minus what sits in scripts, styles, code and
    textareas (merchant content or code)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.found.append(value)

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.found.append(" ".join(data.split()))


def english_in(page: str) -> list[str]:
    """The strings of ``page`` with Latin words left once names and codes are set aside."""
    parser = _Text()
    parser.feed(page)
    return sorted({text for text in parser.found
                   if MARK not in text.lower()
                   and LATIN_WORD.search(NOT_WORDS.sub(" ", text))})


@pytest.fixture
def walked(app, make_store, add_product, store_client):
    def walk(locale: str, currency: str) -> dict[str, list[str]]:
        store = make_store(f"walk-{locale}", locale=locale, currency=currency,
                           name=STORE_NAMES[locale])
        ids = seed(app, add_product, store, MARK)
        with app.app_context(), tenant_scope(store.id):  # a timeline to read
            order = db.session.get(Order, ids["order"])
            service.mark_paid(order, f"{MARK}@staff.example")
            service.ship(order, f"{MARK}@staff.example", "Pathao", "PX-1")
            db.session.commit()
        client = sign_in(store_client, store)
        urls = [url for rule in admin_rules(app) if "GET" in rule.methods
                if (url := fill(rule, ids)) is not None]
        # Every installed plugin's settings page, not only the one the seed names.
        # (sample-board is the test suite's own plugin, not one Haat ships.)
        urls += [f"/admin/plugins/{name}" for name in sorted(app.extensions["haat_plugins"]
                                                              .installed)
                 if name != "sample-board"]
        found: dict[str, list[str]] = {}
        for url in dict.fromkeys(urls):
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            english = english_in(response.get_data(as_text=True))
            if english:
                found[url] = english
        return found
    return walk


@pytest.mark.parametrize(("locale", "currency"), [("bn", "BDT"), ("hy", "AMD")])
def test_no_admin_page_is_left_in_english(walked, locale, currency):
    found = walked(locale, currency)
    report = "\n".join(f"{url}: {strings}" for url, strings in sorted(found.items()))
    with open(f"/tmp/untranslated-{locale}.txt", "w", encoding="utf-8") as handle:
        handle.write(report)
    total = sorted({s for strings in found.values() for s in strings})
    print(locale, "pages", len(found), "strings", len(total))
    assert not total, report


def test_the_timeline_is_written_once_and_read_in_each_language(app, make_store, add_product,
                                                                 store_client):
    """The entry keeps its English words (exports, logs) and its template; a Bengali and
    an English reader of the same order each read it in their language."""
    store = make_store("timeline-shop", locale="bn", currency="BDT")
    ids = seed(app, add_product, store, MARK)
    with app.app_context(), tenant_scope(store.id):
        order = db.session.get(Order, ids["order"])
        service.ship(order, "staff@timeline.example", "Pathao", "PX-7")
        db.session.commit()
        [entry] = [e for e in order.events if e.kind == "shipped"]
        assert entry.message == "Shipped with Pathao, tracking PX-7."
        assert entry.template == "Shipped with %(carrier)s, tracking %(number)s."
    bengali = sign_in(store_client, store).get(f"/admin/orders/{ids['order']}")
    assert "Pathao দিয়ে পাঠানো হয়েছে, ট্র্যাকিং PX-7।" in bengali.get_data(as_text=True)
    english = sign_in(store_client, store)
    english.post("/admin/account/language", data={"locale": "en"})
    page = english.get(f"/admin/orders/{ids['order']}").get_data(as_text=True)
    assert "Shipped with Pathao, tracking PX-7." in page


def test_a_theme_s_settings_read_in_the_admin_s_language(make_store, store_client):
    store = make_store("theme-words", locale="hy", currency="AMD")
    page = sign_in(store_client, store).get("/admin/theme").get_data(as_text=True)
    assert ">Հիմնական գույն</label>" in page and "Accent colour" not in page
