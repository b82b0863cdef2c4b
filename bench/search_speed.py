"""Embedded search against a naive SQL ``LIKE`` search, on the same data in one run.

    .venv/bin/python bench/search_speed.py [--products 100000] [--database-url URL]

One store gets ``--products`` generated products (deterministic for a ``--seed``): about
40 % English, 30 % Bengali and 30 % Armenian titles and descriptions, from real words
plus a few thousand made-up brand names per script, with collections, tags, SKUs,
variants, prices, stock and ratings. The same products go into ``products`` (for the
``LIKE`` search) and into the embedded index (``EmbeddedSearch.index`` in batches of
500, timed: that is the index build time).

Queries are 1, 2 and 3 consecutive words of a random product's title, as typed and with
one typo (a letter changed, dropped, added or two swapped, in a word of 5+ letters).
The embedded engine answers them as the search page asks (page 1 of 24, total, the
four facets, highlights) and also without facets; the ``LIKE`` search finds products
whose title, description, tags or SKU contain every word (``ILIKE`` on PostgreSQL),
newest first, page 1 of 24 plus the total. Printed: p50/p95 per kind of query, and the
ratio of ``LIKE`` to embedded.

The default database is a new SQLite file; ``--database-url`` takes any SQLAlchemy URL
(for PostgreSQL, ``postgresql+psycopg://postgres@127.0.0.1:5432/haat_bench_search``:
the database is created if missing). EVERYTHING IN THAT DATABASE IS DROPPED FIRST.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from core.catalog.models import Product
from core.db import db
from core.money import Money
from core.sdk import SEARCH_FACETS, ProductSnapshot, SearchQuery, StoreInfo
from core.search import EmbeddedSearch
from core.testing import build_test_app, ensure_postgres_database
from tenants import tenant_scope


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: Product words per language (titles are a brand and 2–4 of these).
PRODUCT_WORDS = {
    "en": _words("""shirt saree cotton silk handmade leather bag wallet book poetry notebook
        lamp brass clay pot tea honey spice scarf shawl blanket quilt embroidered blue red
        green indigo vintage organic wooden ceramic mug plate bowl jute basket mat rug carpet
        pillow cushion candle soap oil perfume necklace earrings bracelet ring silver gold
        copper bronze print poster painting frame mirror clock chair table shelf stool bamboo
        cane linen wool sweater jacket kurta panjabi lungi sandal shoe slipper hat cap
        umbrella towel apron dress skirt trousers jeans belt socks gloves toy doll puzzle
        game kite drum flute"""),
    "bn": _words("""নকশি কাঁথা জামদানি শাড়ি তাঁতের সুতি রেশম হাতে তৈরি মাটির পাত্র পিতলের চা মধু
        মসলা বই কবিতা উপন্যাস লাল নীল সবুজ হলুদ গামছা লুঙ্গি পাঞ্জাবি কুর্তা চাদর ব্যাগ
        চামড়ার জুতা টুপি ঝুড়ি পাটের মাদুর কাঠের বাটি থালা প্রদীপ মোমবাতি সাবান আতর মালা
        চুড়ি কানের দুল আংটি রুপার সোনার তামার ছবি আয়না ঘড়ি চেয়ার টেবিল বাঁশের বেতের খেলনা
        পুতুল ঘুড়ি ঢোল বাঁশি শীতের গরমের উপহার ঐতিহ্যবাহী নতুন সুন্দর নরম খাঁটি দেশি ঢাকাই
        রাজশাহী টাঙ্গাইল"""),
    "hy": _words("""գիրք Նարեկացի բանաստեղծություն վեպ պատմություն գորգ կավե աման արծաթե զարդ
        մատանի ականջօղ գինի կոնյակ մեղր չիր թեյ շարֆ բրդյա ձեռագործ կարմիր կապույտ կանաչ
        դեղին սև սպիտակ փայտե սեղան աթոռ գավաթ ափսե ամանեղեն լուսամփոփ մոմ օճառ յուղ
        օծանելիք վզնոց ապարանջան պղնձե ոսկե նկար շրջանակ հայելի ժամացույց գլխարկ ձեռնոց
        գուլպա վերնաշապիկ զգեստ կոշիկ պայուսակ խաղալիք տիկնիկ թմբուկ շվի դուդուկ Երևան
        Գյումրի նվեր ավանդական նոր գեղեցիկ փափուկ բնական հայկական տնական"""),
}
#: Short function words that fill descriptions.
FUNCTION_WORDS = {
    "en": _words("with for and the a of in to is made by from this our your it on"),
    "bn": _words("ও এবং দিয়ে জন্য একটি এই খুব করা হয় থেকে আমাদের আপনার সাথে"),
    "hy": _words("և համար հետ այս շատ մի է մեր ձեր որը նաև իսկ"),
}
SYLLABLES = {
    "en": _words("ka ro mi ta sel von bri lum dar nek sol ve ran tor mel zen qui pa lo ster"),
    "bn": _words("কা রো মি তা সেল ভন ব্রি লুম দার নেক সোল ভে রান তোর মেল জেন পা লো স্টার"),
    "hy": _words("կա րո մի տա սել վոն բրի լում դար նեկ սոլ վե րան թոր մել զեն պա լո ստար"),
}
PASSWORD = "bench-owner-password"  # noqa: S105 (a throwaway store)
SIZES = ("S", "M", "L", "XL")
COLOURS = ("Indigo", "Red", "নীল", "লাল", "Կարմիր", "Կապույտ")
LANGUAGES = ("en",) * 4 + ("bn",) * 3 + ("hy",) * 3


class Zipf:
    """Picks items with weight 1/rank^s: a few very common, a long tail."""

    def __init__(self, items: Sequence[str], s: float) -> None:
        self.items = list(items)
        self.weights = list(itertools.accumulate(1 / (rank + 1) ** s
                                                 for rank in range(len(self.items))))

    def pick(self, rng: random.Random, count: int = 1) -> list[str]:
        return rng.choices(self.items, cum_weights=self.weights, k=count)


def made_up(rng: random.Random, language: str, count: int, syllables: tuple[int, int]
            ) -> list[str]:
    found: set[str] = set()
    while len(found) < count:
        found.add("".join(rng.choice(SYLLABLES[language])
                          for _ in range(rng.randint(*syllables))))
    return sorted(found)


def generate(count: int, seed: int, currency: str) -> list[ProductSnapshot]:
    """``count`` products: a brand and 2–4 product words as the title (product words
    Zipf-distributed, s=0.7, so the most common is in ~10 % of titles of its language);
    a description of 20–50 words: function words, words from a 2,000-word made-up
    lexicon (Zipf, s=1.1) and a few product words."""
    rng = random.Random(seed)
    brands = {lang: [w.title() for w in made_up(rng, lang, 3000, (2, 4))]
              for lang in PRODUCT_WORDS}
    lexicon = {lang: Zipf(made_up(rng, lang, 2000, (2, 3)), 1.1) for lang in PRODUCT_WORDS}
    product_words = {lang: Zipf(words, 0.7) for lang, words in PRODUCT_WORDS.items()}
    collections = [(f"collection-{i}", f"{rng.choice(PRODUCT_WORDS['en']).title()} "
                    f"{rng.choice(PRODUCT_WORDS['bn'])} {rng.choice(PRODUCT_WORDS['hy'])}")
                   for i in range(40)]
    tags = [*PRODUCT_WORDS["en"][:30], *PRODUCT_WORDS["bn"][:20], *PRODUCT_WORDS["hy"][:20]]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    products = []
    for index in range(1, count + 1):
        language = rng.choice(LANGUAGES)
        title_words = product_words[language].pick(rng, rng.randint(2, 4))
        title = " ".join([rng.choice(brands[language]), *title_words])
        words = []
        for _ in range(rng.randint(20, 50)):
            roll = rng.random()
            if roll < 0.4:
                words.append(rng.choice(FUNCTION_WORDS[language]))
            elif roll < 0.9:
                words.extend(lexicon[language].pick(rng))
            else:
                words.append(rng.choice(title_words) if rng.random() < 0.6
                             else product_words[language].pick(rng)[0])
        chosen = rng.sample(collections, rng.randint(1, 2))
        variants = [f"{size} / {rng.choice(COLOURS)}"
                    for size in rng.sample(SIZES, rng.randint(0, 3))]
        reviewed = rng.random() < 0.3
        products.append(ProductSnapshot(
            id=index, handle=f"p-{index}", title=title[:200], description=" ".join(words),
            price=Money(rng.randint(50, 8000) * 100, currency), compare_at_price=None,
            stock=0 if rng.random() < 0.15 else rng.randint(1, 50), status="active",
            sku=f"SKU-{index:06d}", tags=tuple(rng.sample(tags, rng.randint(1, 3))),
            collections=tuple(h for h, _ in chosen),
            collection_titles=tuple(t for _, t in chosen),
            created_at=start + timedelta(minutes=7 * index + rng.randint(0, 6)),
            variant_titles=tuple(variants),
            rating=Decimal(rng.randint(10, 50)) / 10 if reviewed else None,
            review_count=rng.randint(1, 40) if reviewed else 0,
        ))
    return products


def misspell(rng: random.Random, word: str) -> str:
    """The word with one typo (changed, dropped, added or swapped letters)."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["change", "drop", "add", "swap"])
    letter = rng.choice(word)
    if kind == "change":
        return word[:i] + (letter if letter != word[i] else "x") + word[i + 1:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "add":
        return word[:i] + letter + word[i:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


def queries(rng: random.Random, products: list[ProductSnapshot], size: int, typo: bool,
            count: int) -> list[str]:
    found = []
    while len(found) < count:
        words = rng.choice(products).title.split()
        if len(words) < size:
            continue
        start = rng.randrange(0, len(words) - size + 1)
        picked = [w.lower() for w in words[start:start + size]]
        if typo:
            long = [i for i, w in enumerate(picked) if len(w) >= 5]
            if not long:
                continue
            i = rng.choice(long)
            picked[i] = misspell(rng, picked[i])
        found.append(" ".join(picked))
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(run: Callable[[str], object], texts: list[str]) -> list[float]:
    spent = []
    for query_text in texts:
        started = time.perf_counter()
        run(query_text)
        spent.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return spent


def like_search(store_id: int, postgres: bool) -> Callable[[str], object]:
    """The naive search: every word somewhere in title/description/tags/SKU."""
    operator = "ILIKE" if postgres else "LIKE"

    def run(query_text: str) -> object:
        words = query_text.split()
        clauses = " AND ".join(
            f"(title {operator} :w{i} OR description {operator} :w{i} "
            f"OR tags {operator} :w{i} OR sku {operator} :w{i})" for i in range(len(words)))
        params = {f"w{i}": f"%{w}%" for i, w in enumerate(words)} | {"t": store_id}
        where = f"WHERE tenant_id = :t AND status = 'active' AND {clauses}"
        page = db.session.execute(sa.text(
            f"SELECT id, handle, title FROM products {where} "  # noqa: S608
            "ORDER BY created_at DESC, id DESC LIMIT 24"), params).all()
        total = db.session.execute(sa.text(
            f"SELECT count(*) FROM products {where}"), params).scalar()  # noqa: S608
        return page, total

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database-url", default="",
                        help="SQLAlchemy URL (default: a new SQLite file); it is WIPED")
    parser.add_argument("--queries", type=int, default=200,
                        help="embedded queries per kind (1-3 words, with/without typo)")
    parser.add_argument("--like-queries", type=int, default=30,
                        help="LIKE queries per kind (each scans the whole store)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="haat-search-bench-"))
    url = args.database_url or f"sqlite:///{root / 'bench.db'}"
    postgres = url.startswith("postgresql")
    if postgres:
        ensure_postgres_database(url)
    app = build_test_app(root, url)
    rng = random.Random(args.seed)
    engine = EmbeddedSearch()
    with app.app_context():
        from core.platform.signup import sign_up

        tenant = sign_up(slug="bench", name="Bench", email="owner@bench.example",
                         password=PASSWORD, locale="bn", currency="BDT").tenant
        store = StoreInfo(id=tenant.id, slug="bench", name="Bench", locale="bn",
                          currency="BDT", base_url="http://bench.localhost")
        started = time.perf_counter()
        products = generate(args.products, args.seed, "BDT")
        print(f"database: {db.engine.dialect.name} {db.engine.dialect.server_version_info}"
              f"; {len(products):,} products generated in {time.perf_counter() - started:.1f} s")

        table = Product.__table__
        with tenant_scope(tenant.id):
            for start in range(0, len(products), 2000):
                db.session.execute(sa.insert(table), [{
                    "id": p.id, "tenant_id": tenant.id, "handle": p.handle, "title": p.title,
                    "description": p.description, "sku": p.sku, "price_amount": p.price.amount,
                    "stock": p.stock, "status": "active", "tags": ",".join(p.tags),
                    "option_names": "", "video_url": "", "created_at": p.created_at,
                    "updated_at": p.created_at} for p in products[start:start + 2000]])
            db.session.commit()

        started = time.perf_counter()
        for start in range(0, len(products), 500):
            engine.index(store, products[start:start + 500])
        build = time.perf_counter() - started
        if postgres:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        sizes = {name: db.session.execute(sa.text(
            f"SELECT count(*) FROM {name} WHERE tenant_id = :t"), {"t": tenant.id}).scalar()  # noqa: S608
            for name in ("search_documents", "search_terms", "search_facets")}
        print(f"index build: {build:.1f} s ({len(products) / build:,.0f} products/s); "
              f"rows: {sizes}")

        kinds = [(size, typo) for typo in (False, True) for size in (1, 2, 3)]
        page = lambda q: engine.query(store, SearchQuery(text=q, facets=SEARCH_FACETS))  # noqa: E731
        bare = lambda q: engine.query(store, SearchQuery(text=q))  # noqa: E731
        typing = lambda q: engine.suggest(store, q)  # noqa: E731
        like = like_search(tenant.id, postgres)
        timed(page, queries(rng, products, 2, False, 20))  # warm up
        timed(like, queries(rng, products, 1, False, 3))
        rows = []
        every: dict[str, list[float]] = {"page": [], "bare": [], "like": [], "typing": []}
        totals: list[int] = []
        for size, typo in kinds:
            texts = queries(rng, products, size, typo, args.queries)
            counted = [page(q).total for q in texts]
            db.session.rollback()
            naive_texts = texts[: args.like_queries]
            like_found = sum(1 for q in naive_texts if like(q)[1])
            db.session.rollback()
            times = {"page": timed(page, texts), "bare": timed(bare, texts),
                     "like": timed(like, naive_texts),
                     # as typed so far: the last word without its last two letters
                     "typing": timed(typing, [q[:-2] if len(q.split()[-1]) > 3 else q
                                              for q in texts])}
            for key, values in times.items():
                every[key] += values
            totals += counted
            rows.append((f"{size} word{'s' if size > 1 else ''}{', typo' if typo else ''}",
                         times, sum(1 for n in counted if n) * 100 // len(counted),
                         like_found * 100 // len(naive_texts)))
        rows.append(("all", every, None, None))

        print()
        print(f"{'queries':<15}{'search page':>16}{'no facets':>16}{'as you type':>16}"
              f"{'LIKE':>18}{'LIKE ÷ page':>14}{'found':>8}{'LIKE':>6}")
        print(f"{'':<15}{'p50 / p95 ms':>16}{'p50 / p95 ms':>16}{'p50 / p95 ms':>16}"
              f"{'p50 / p95 ms':>18}{'p50, p95':>14}")
        for name, times, found, like_found in rows:
            cells = {key: (percentile(v, 0.5), percentile(v, 0.95)) for key, v in times.items()}
            (p50, p95), (l50, l95) = cells["page"], cells["like"]
            line = f"{name:<15}" + "".join(f"{cells[key][0]:>9.1f} /{cells[key][1]:>5.1f}"
                                           for key in ("page", "bare", "typing"))
            line += f"{l50:>11.0f} /{l95:>5.0f}{l50 / p50:>8.0f}×, {l95 / p95:>3.0f}×"
            if found is not None:
                line += f"{found:>7}%{like_found:>5}%"
            print(line)
        print(f"\nmatches per query: median {percentile(totals, 0.5):,.0f}, "
              f"p95 {percentile(totals, 0.95):,.0f}, max {max(totals):,}")
        print(f"{len(every['page'])} queries per embedded column, {len(every['like'])} LIKE "
              "queries; 'found': share of queries with at least one hit (embedded, LIKE)")


if __name__ == "__main__":
    main()
