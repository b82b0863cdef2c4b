"""The Meilisearch search backend (``plugins/search/meili.py``).

Every test that takes ``server`` runs twice: against the local fake of Meilisearch's HTTP
API (``tests/fakes/meilisearch_fake.py``) and against a real Meilisearch when
``MEILISEARCH_URL`` is set (with ``MEILISEARCH_MASTER_KEY``, or an admin
``MEILISEARCH_API_KEY`` that may also read keys, and, optionally,
``MEILISEARCH_SEARCH_KEY``; without it the "Default Search API Key" is used). Each test
gets its own index on the real server, deleted afterwards. Tests that need the fake's
controls (stop accepting, hang, pause tasks) skip on the real server.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import meilisearch
import pytest
import requests
from fakes import FakeMeilisearch
from meilisearch.errors import MeilisearchApiError

from core.money import Money
from core.sdk import ProductSnapshot, SearchBackend, SearchQuery, StoreInfo
from plugins.search.meili import (
    INDEX_SETTINGS,
    MeilisearchBackend,
    SearchConfigError,
    SearchUnavailable,
    quote,
    settings_changes,
)

DHAKA = StoreInfo(id=1, slug="dhaka", name="Dhaka", locale="bn", currency="USD",
                  base_url="http://dhaka.localhost")
YEREVAN = StoreInfo(id=2, slug="yerevan", name="Yerevan", locale="hy", currency="USD",
                    base_url="http://yerevan.localhost")


@dataclass
class Server:
    kind: str
    url: str
    master_key: str
    search_key: str
    index_uid: str
    fake: FakeMeilisearch | None = None

    def client(self, key: str | None = None) -> meilisearch.Client:
        return meilisearch.Client(self.url, key or self.master_key, timeout=10)

    def backend(self, **kwargs: object) -> MeilisearchBackend:
        kwargs.setdefault("search_key", self.search_key)
        kwargs.setdefault("timeout", 5)
        return MeilisearchBackend(self.url, self.master_key, self.index_uid,
                                  **kwargs)  # type: ignore[arg-type]

    def needs_fake(self) -> FakeMeilisearch:
        if self.fake is None:
            pytest.skip("needs the fake's controls (a real server cannot be stopped here)")
        return self.fake

    def settings_tasks(self) -> int:
        tasks = self.client().get_tasks({"indexUids": [self.index_uid],
                                         "types": ["settingsUpdate"]})
        return tasks.total


def _real_server() -> Iterator[Server]:
    url = os.environ.get("MEILISEARCH_URL", "")
    if not url:
        pytest.skip("no real Meilisearch: set MEILISEARCH_URL and MEILISEARCH_MASTER_KEY "
                    "(and MEILISEARCH_SEARCH_KEY) to run these tests against one too")
    master = (os.environ.get("MEILISEARCH_MASTER_KEY")
              or os.environ.get("MEILISEARCH_API_KEY", ""))
    client = meilisearch.Client(url, master, timeout=10)
    search_key = os.environ.get("MEILISEARCH_SEARCH_KEY", "")
    if not search_key:
        keys = client.get_keys({"limit": 100}).results
        search_key = next(k.key for k in keys if k.actions == ["search"])
    uid = f"haat_test_{uuid.uuid4().hex[:12]}"
    yield Server("real", url, master, search_key, uid)
    with contextlib.suppress(MeilisearchApiError):
        client.wait_for_task(client.delete_index(uid).task_uid, timeout_in_ms=10_000)


@pytest.fixture(params=["fake", "real"])
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """A Meilisearch to talk to: the fake, then a real one if configured."""
    if request.param == "real":
        yield from _real_server()
        return
    with FakeMeilisearch() as fake:
        yield Server("fake", fake.url, fake.master_key, fake.search_key, "haat_products_test",
                     fake)


@pytest.fixture
def backend(server: Server) -> MeilisearchBackend:
    engine = server.backend()
    engine.ensure_settings()
    return engine


def product(product_id: int, title: str, *, price: int = 1000, stock: int = 5,
            status: str = "active", description: str = "", day: int = 1,
            **extra: object) -> ProductSnapshot:
    return ProductSnapshot(
        id=product_id, handle=f"p-{product_id}", title=title,
        description=description or f"{title} from a small shop.", price=Money(price, "USD"),
        compare_at_price=None, stock=stock, status=status,
        created_at=datetime(2024, 1, day, tzinfo=UTC), **extra)  # type: ignore[arg-type]


CATALOGUE = [
    product(1, "Cotton shirt", price=1500, day=1, collections=("tops",), tags=("cotton",),
            collection_titles=("Tops",), sku="SH-1"),
    product(2, "Silk shirt", price=6500, day=2, collections=("tops", "sale"),
            tags=("silk",), variant_titles=("M / Indigo",)),
    product(3, "Linen shirt", price=3000, day=3, stock=0, collections=("tops",),
            tags=("linen", "cotton")),
    product(4, "Denim shirt", price=12000, day=4, collections=("sale",), tags=("denim",)),
    product(5, "Wool shirt", price=30000, day=5, tags=("wool",)),
    product(6, "Clay pot", price=800, day=6, collections=("home",), tags=("clay",)),
]


def ids(results: object) -> list[int]:
    return [hit.product_id for hit in results.hits]  # type: ignore[attr-defined]


def q(text: str, **kwargs: object) -> SearchQuery:
    return SearchQuery(text=text, **kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------------- settings


def test_it_is_a_search_backend(server: Server) -> None:
    assert isinstance(server.backend(), SearchBackend)


def test_settings_are_applied_once(server: Server) -> None:
    engine = server.backend()
    assert engine.ensure_settings() is True  # a new index
    current = server.client().index(server.index_uid).get_settings()
    assert settings_changes(current) == {}
    assert server.client().get_raw_index(server.index_uid)["primaryKey"] == "id"
    before = server.settings_tasks()

    assert engine.ensure_settings() is False
    assert server.backend().ensure_settings() is False  # a fresh process, same answer
    assert server.settings_tasks() == before


def test_settings_that_drifted_are_put_back_alone(server: Server) -> None:
    engine = server.backend()
    engine.ensure_settings()
    client = server.client()
    client.wait_for_task(client.index(server.index_uid).update_settings(
        {"rankingRules": ["words", "typo"]}).task_uid)

    assert engine.ensure_settings() is True
    last = client.get_tasks({"indexUids": [server.index_uid],
                             "types": ["settingsUpdate"], "limit": 1}).results[0]
    assert last.status == "succeeded"
    assert set(last.details or {}) == {"rankingRules"}
    assert last.details["rankingRules"] == INDEX_SETTINGS["rankingRules"]


def test_settings_are_applied_lazily_on_first_use(server: Server) -> None:
    engine = server.backend()  # ensure_settings never called
    engine.index(DHAKA, CATALOGUE, wait=True)
    assert ids(engine.query(DHAKA, q("pot"))) == [6]


# ------------------------------------------------------------------------- queries


def test_query_pages_sorts_and_counts(backend: MeilisearchBackend) -> None:
    backend.index(DHAKA, CATALOGUE, wait=True)

    first = backend.query(DHAKA, q("shirt", per_page=2, sort="price-asc"))
    assert first.total == 5
    assert ids(first) == [1, 3]
    assert ids(backend.query(DHAKA, q("shirt", per_page=2, page=3, sort="price-asc"))) == [5]
    beyond = backend.query(DHAKA, q("shirt", per_page=2, page=4))
    assert beyond.hits == () and beyond.total == 5
    assert first.suggestion is None  # Meilisearch has no "did you mean"

    assert ids(backend.query(DHAKA, q("shirt", sort="price-desc"))) == [5, 4, 2, 3, 1]
    assert ids(backend.query(DHAKA, q("shirt", sort="newest"))) == [5, 4, 3, 2, 1]
    relevance = backend.query(DHAKA, q("shirt"))
    assert sorted(ids(relevance)) == [1, 2, 3, 4, 5]


def test_query_filters(backend: MeilisearchBackend) -> None:
    backend.index(DHAKA, CATALOGUE, wait=True)

    def found(**filters: object) -> list[int]:
        return sorted(ids(backend.query(DHAKA, q("shirt", filters=filters))))

    assert found(collection="tops") == [1, 2, 3]
    assert found(collection="sale") == [2, 4]
    assert found(tags="cotton") == [1, 3]
    assert found(tags=["silk", "denim"]) == [2, 4]
    assert found(in_stock=True) == [1, 2, 4, 5]
    assert found(price="0-2500") == [1]
    assert found(price="2500-5000") == [3]
    assert found(price="25000-") == [5]
    assert found(collection="tops", in_stock=True, price="5000-10000") == [2]
    assert found(collection="nowhere") == []
    assert found(price="not-a-bucket", unknown="x") == [1, 2, 3, 4, 5]  # ignored


def test_query_facets(backend: MeilisearchBackend) -> None:
    backend.index(DHAKA, CATALOGUE, wait=True)
    results = backend.query(DHAKA, q("shirt", facets=("collection", "price", "in_stock",
                                                      "tags")))
    assert results.facets["collection"] == {"tops": 3, "sale": 2}
    assert results.facets["in_stock"] == {"true": 4, "false": 1}
    assert results.facets["tags"] == {"cotton": 2, "silk": 1, "linen": 1, "denim": 1,
                                      "wool": 1}
    assert results.facets["price"] == {"0-2500": 1, "2500-5000": 1, "5000-10000": 1,
                                       "10000-25000": 1, "25000-": 1}
    # Counts describe the filtered results.
    narrowed = backend.query(DHAKA, q("shirt", filters={"collection": "sale"},
                                      facets=("collection", "price")))
    assert narrowed.facets["collection"] == {"sale": 2, "tops": 1}
    assert narrowed.facets["price"] == {"0-2500": 0, "2500-5000": 0, "5000-10000": 1,
                                        "10000-25000": 1, "25000-": 0}
    assert backend.query(DHAKA, q("shirt")).facets == {}


def test_query_searches_variants_tags_collections_and_skus(
        backend: MeilisearchBackend) -> None:
    backend.index(DHAKA, CATALOGUE, wait=True)
    assert ids(backend.query(DHAKA, q("indigo"))) == [2]
    assert ids(backend.query(DHAKA, q("denim"))) == [4]
    assert 1 in ids(backend.query(DHAKA, q("tops")))
    assert ids(backend.query(DHAKA, q("SH-1"))) == [1]
    assert ids(backend.query(DHAKA, q("shrit", per_page=10)))  # one typo is forgiven


def test_suggest_is_a_small_prefix_search(backend: MeilisearchBackend) -> None:
    backend.index(DHAKA, CATALOGUE, wait=True)
    hits = backend.suggest(DHAKA, "shi", limit=3)
    assert len(hits) == 3
    assert all("<mark>shi</mark>rt" in hit.highlighted_title for hit in hits)
    assert [h.product_id for h in backend.suggest(DHAKA, "cla")] == [6]
    assert backend.suggest(DHAKA, "   ") == []


def test_highlights_are_escaped_except_the_marks(backend: MeilisearchBackend) -> None:
    backend.index(DHAKA, [
        product(1, '<script>alert("x")</script> Shirt', description=(
            'A <b>soft</b> shirt & more <img src=x onerror=alert(1)>')),
        product(2, "<mark>Fake</mark> shirt"),
    ], wait=True)
    results = backend.query(DHAKA, q("shirt"))
    by_id = {hit.product_id: hit for hit in results.hits}

    first = by_id[1]
    assert first.title == '<script>alert("x")</script> Shirt'
    assert first.highlighted_title == (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; <mark>Shirt</mark>")
    assert "<mark>shirt</mark>" in first.snippet
    assert "&lt;b&gt;soft&lt;/b&gt;" in first.snippet and "&amp;" in first.snippet
    assert "<img" not in first.snippet and "<b>" not in first.snippet

    second = by_id[2]
    assert second.highlighted_title == "&lt;mark&gt;Fake&lt;/mark&gt; <mark>shirt</mark>"
    for hit in backend.suggest(DHAKA, "shir"):
        assert "<script" not in hit.highlighted_title


# ------------------------------------------------------------------------- writes


def test_removing_a_product_removes_it_from_results(backend: MeilisearchBackend) -> None:
    backend.index(DHAKA, CATALOGUE, wait=True)
    backend.remove(DHAKA, [2, 3], wait=True)
    assert sorted(ids(backend.query(DHAKA, q("shirt")))) == [1, 4, 5]
    assert 2 not in [h.product_id for h in backend.suggest(DHAKA, "silk")]

    # An inactive snapshot removes the product too.
    backend.index(DHAKA, [product(4, "Denim shirt", status="draft")], wait=True)
    assert sorted(ids(backend.query(DHAKA, q("shirt")))) == [1, 5]
    backend.remove(DHAKA, [], wait=True)  # nothing to do is fine


def test_indexing_again_replaces_the_document(backend: MeilisearchBackend) -> None:
    backend.index(DHAKA, CATALOGUE, wait=True)
    backend.index(DHAKA, [product(6, "Clay lamp", price=900)], wait=True)
    assert ids(backend.query(DHAKA, q("pot"))) == []
    lamp = backend.query(DHAKA, q("lamp"))
    assert ids(lamp) == [6] and lamp.hits[0].title == "Clay lamp"


def test_clear_drops_one_store_only(backend: MeilisearchBackend) -> None:
    backend.index(DHAKA, CATALOGUE, wait=True)
    backend.index(YEREVAN, CATALOGUE, wait=True)
    backend.clear(DHAKA, wait=True)
    assert backend.query(DHAKA, q("shirt")).total == 0
    assert backend.query(YEREVAN, q("shirt")).total == 5


def test_reindex_is_idempotent(backend: MeilisearchBackend) -> None:
    wanted = q("shirt", facets=("collection", "price", "in_stock", "tags"), sort="price-asc")
    assert backend.reindex(DHAKA, CATALOGUE) == 6
    once = backend.query(DHAKA, wanted)
    assert backend.reindex(DHAKA, CATALOGUE) == 6
    twice = backend.query(DHAKA, wanted)
    assert twice == once
    assert backend.query(DHAKA, q("")).total == 6  # one document per product

    # Reindexing a smaller catalogue drops what is gone.
    backend.reindex(DHAKA, [*CATALOGUE[:2], product(3, "Linen shirt", status="archived")])
    assert sorted(ids(backend.query(DHAKA, q("shirt")))) == [1, 2]


def test_big_catalogues_go_in_batches(server: Server, backend: MeilisearchBackend,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import plugins.search.meili as meili

    monkeypatch.setattr(meili, "BATCH", 2)
    catalogue = [*CATALOGUE, product(7, "Retired shirt", status="archived")]
    assert backend.reindex(DHAKA, catalogue) == 6
    assert backend.query(DHAKA, q("")).total == 6
    if server.fake is not None:
        additions = server.fake.tasks_of_type("documentAdditionOrUpdate", server.index_uid)
        assert [t["details"]["receivedDocuments"] for t in additions] == [2, 2, 2]


# ------------------------------------------------------------------------- isolation


def test_stores_never_see_each_others_products(backend: MeilisearchBackend) -> None:
    # Identical products (even the same ids) in two stores.
    backend.index(DHAKA, CATALOGUE, wait=True)
    backend.index(YEREVAN, CATALOGUE[:3], wait=True)
    everything = ("collection", "price", "in_stock", "tags")

    dhaka = backend.query(DHAKA, q("shirt", facets=everything))
    yerevan = backend.query(YEREVAN, q("shirt", facets=everything))
    assert dhaka.total == 5 and yerevan.total == 3
    assert sorted(ids(yerevan)) == [1, 2, 3]
    assert yerevan.facets["collection"] == {"tops": 3, "sale": 1}
    assert sum(yerevan.facets["price"].values()) == 3
    assert yerevan.facets["tags"] == {"cotton": 2, "silk": 1, "linen": 1}
    assert [h.product_id for h in backend.suggest(YEREVAN, "wool")] == []
    assert [h.product_id for h in backend.suggest(YEREVAN, "cla")] == []
    assert backend.query(YEREVAN, q("")).total == 3

    # Removing a product of one store leaves the other's copy alone.
    backend.remove(YEREVAN, [1], wait=True)
    assert 1 in ids(backend.query(DHAKA, q("cotton")))
    assert 1 not in ids(backend.query(YEREVAN, q("cotton")))


@pytest.mark.parametrize("attack", [
    'a" OR tenant_id = 2',
    'tops" OR tenant_id = 2 OR collections = "tops',
    'a\\" OR tenant_id = 2 OR tags = "x',
    'a\\',
    "a' OR tenant_id = 2 OR '",
    ") OR (tenant_id = 2",
])
def test_filter_values_cannot_widen_the_tenant_filter(backend: MeilisearchBackend,
                                                      attack: str) -> None:
    backend.index(YEREVAN, CATALOGUE, wait=True)
    backend.index(DHAKA, [product(9, "Plain shirt")], wait=True)
    for filters in ({"collection": attack}, {"tags": attack}, {"tags": [attack, "x"]}):
        results = backend.query(DHAKA, q("shirt", filters=filters,
                                         facets=("collection", "tags", "price")))
        assert results.total == 0 and results.hits == (), filters
        assert results.facets["collection"] == {} and results.facets["tags"] == {}


def test_filter_values_with_quotes_and_backslashes_match_exactly(
        backend: MeilisearchBackend) -> None:
    tag = '5" screen \\ "big"'
    backend.index(DHAKA, [product(1, "Phone", tags=(tag,)), product(2, "Phone case",
                                                                     tags=("5 screen",))],
                  wait=True)
    assert ids(backend.query(DHAKA, q("phone", filters={"tags": tag}))) == [1]
    assert quote(tag) == '"5\\" screen \\\\ \\"big\\""'


# ------------------------------------------------------------------------- tenant tokens


def _segment(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_tenant_token_is_signed_with_the_search_key(server: Server,
                                                    backend: MeilisearchBackend) -> None:
    backend.index(DHAKA, CATALOGUE, wait=True)
    backend.index(YEREVAN, CATALOGUE, wait=True)
    expires = datetime.now(UTC) + timedelta(minutes=10)
    token = backend.tenant_token(DHAKA, expires)

    head, payload, signature = token.split(".")
    claims = json.loads(_segment(payload))  # decoded without verifying
    search_key_uid = server.client().get_key(server.search_key).uid
    assert claims["apiKeyUid"] == search_key_uid
    assert claims["searchRules"] == {server.index_uid: {"filter": "tenant_id = 1"}}
    assert claims["exp"] == int(expires.timestamp())
    assert json.loads(_segment(head))["alg"] == "HS256"
    signed = f"{head}.{payload}".encode()
    assert hmac.compare_digest(
        _segment(signature), hmac.new(server.search_key.encode(), signed, hashlib.sha256).digest())
    assert not hmac.compare_digest(
        _segment(signature), hmac.new(server.master_key.encode(), signed, hashlib.sha256).digest())

    # A browser holding the token only ever sees Dhaka's products.
    browser = server.client(token).index(server.index_uid)
    found = browser.search("shirt", {"limit": 50})
    assert found["hits"] and {h["tenant_id"] for h in found["hits"]} == {1}
    assert browser.search("shirt", {"filter": "tenant_id = 2"})["hits"] == []
    assert browser.search("shirt", {"filter": "tenant_id = 2 OR tenant_id = 1",
                                    "limit": 50})["estimatedTotalHits"] == 5
    with pytest.raises(MeilisearchApiError) as refused:
        server.client(token).index(server.index_uid).update_settings({"rankingRules": []})
    assert refused.value.code == "invalid_api_key"


def test_tenant_token_defaults_to_an_hour(backend: MeilisearchBackend) -> None:
    before = datetime.now(UTC)
    claims = json.loads(_segment(backend.tenant_token(YEREVAN).split(".")[1]))
    assert claims["searchRules"][backend.index_uid] == {"filter": "tenant_id = 2"}
    assert 3500 <= claims["exp"] - before.timestamp() <= 3700


def test_tenant_token_refuses_the_master_key(server: Server) -> None:
    with pytest.raises(SearchConfigError):
        server.backend(search_key=None).tenant_token(DHAKA)
    with pytest.raises(SearchConfigError):
        server.backend(search_key=server.master_key).tenant_token(DHAKA)


def test_tenant_token_refuses_a_key_that_can_do_more_than_search(server: Server) -> None:
    fake = server.needs_fake()
    with pytest.raises(SearchConfigError, match="only action is 'search'"):
        server.backend(search_key=fake.admin_key).tenant_token(DHAKA)
    wider = fake.create_key(["search", "documents.add"])
    with pytest.raises(SearchConfigError):
        server.backend(search_key=wider.key).tenant_token(DHAKA)


# ------------------------------------------------------------------------- failures


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_server_raises_search_unavailable_quickly() -> None:
    engine = MeilisearchBackend(f"http://127.0.0.1:{_closed_port()}", "key", timeout=0.5)
    for call in (lambda: engine.query(DHAKA, q("shirt")),
                 lambda: engine.suggest(DHAKA, "sh"),
                 lambda: engine.index(DHAKA, CATALOGUE),
                 lambda: engine.remove(DHAKA, [1]),
                 lambda: engine.clear(DHAKA),
                 engine.ensure_settings):
        started = time.monotonic()
        with pytest.raises(SearchUnavailable, match="unreachable"):
            call()
        assert time.monotonic() - started < 2
    assert engine.is_healthy() is False


def test_server_going_down_and_coming_back(server: Server, backend: MeilisearchBackend) -> None:
    fake = server.needs_fake()
    backend.index(DHAKA, CATALOGUE[:2], wait=True)
    fake.go_down()
    started = time.monotonic()
    with pytest.raises(SearchUnavailable):
        backend.query(DHAKA, q("shirt"))
    with pytest.raises(SearchUnavailable):
        backend.index(DHAKA, CATALOGUE[2:], wait=True)  # the job would retry this
    assert time.monotonic() - started < 2
    assert backend.is_healthy() is False

    fake.come_back()
    assert backend.is_healthy() is True
    backend.index(DHAKA, CATALOGUE[2:], wait=True)  # the retry: nothing is lost
    assert backend.query(DHAKA, q("shirt")).total == 5


def test_a_server_that_hangs_times_out(server: Server) -> None:
    fake = server.needs_fake()
    engine = server.backend(timeout=0.3)
    engine.ensure_settings()
    fake.hang()
    try:
        started = time.monotonic()
        with pytest.raises(SearchUnavailable):
            engine.query(DHAKA, q("shirt"))
        assert time.monotonic() - started < 2
    finally:
        fake.release()


def test_wait_means_the_change_is_searchable(server: Server, backend: MeilisearchBackend
                                             ) -> None:
    fake = server.needs_fake()
    fake.pause_tasks()
    backend.index(DHAKA, CATALOGUE)  # returns at once, task enqueued
    assert backend.query(DHAKA, q("shirt")).total == 0
    assert fake.tasks[-1]["status"] == "enqueued"
    slow = server.backend(task_timeout=0.2)
    with pytest.raises(SearchUnavailable, match="in time"):
        slow.remove(DHAKA, [1], wait=True)
    fake.resume_tasks()
    backend.clear(YEREVAN, wait=True)  # tasks run in order: the earlier ones are done
    assert backend.query(DHAKA, q("shirt")).total == 4


def test_a_failed_task_raises_with_its_error(server: Server, backend: MeilisearchBackend
                                             ) -> None:
    client = server.client()
    client.wait_for_task(client.index(server.index_uid).update_settings(
        {"filterableAttributes": ["tenant_id"]}).task_uid)
    backend.remove(DHAKA, [1])  # enqueued; it fails later, nobody waits
    with pytest.raises(SearchUnavailable) as failed:
        backend.remove(DHAKA, [1], wait=True)
    assert failed.value.code == "invalid_document_filter"
    assert "product_id" in str(failed.value)


def test_an_error_answer_raises_and_a_lost_index_is_set_up_again(
        server: Server, backend: MeilisearchBackend) -> None:
    backend.index(DHAKA, CATALOGUE, wait=True)
    client = server.client()
    client.wait_for_task(client.delete_index(server.index_uid).task_uid)
    with pytest.raises(SearchUnavailable) as lost:
        backend.query(DHAKA, q("shirt"))
    assert lost.value.code == "index_not_found" and lost.value.status == 404
    # The next call recreates the index with its settings; a reindex refills it.
    backend.reindex(DHAKA, CATALOGUE)
    assert backend.query(DHAKA, q("shirt")).total == 5
    assert settings_changes(client.index(server.index_uid).get_settings()) == {}


def test_an_index_with_another_primary_key_is_refused(server: Server) -> None:
    client = server.client()
    client.wait_for_task(client.create_index(server.index_uid, {"primaryKey": "sku"}).task_uid)
    with pytest.raises(SearchConfigError, match="primary key"):
        server.backend().ensure_settings()


def test_a_wrong_api_key_raises_search_unavailable(server: Server) -> None:
    engine = MeilisearchBackend(server.url, "not-the-key", server.index_uid, timeout=5)
    with pytest.raises(SearchUnavailable) as refused:
        engine.query(DHAKA, q("shirt"))
    assert refused.value.code == "invalid_api_key" and refused.value.status == 403


# ------------------------------------------------------------------------- the fake itself


@pytest.fixture
def fake() -> Iterator[FakeMeilisearch]:
    with FakeMeilisearch() as running:
        yield running


def test_fake_says_it_is_meilisearch_and_keeps_auth(fake: FakeMeilisearch) -> None:
    assert meilisearch.Client(fake.url, fake.master_key).get_version()["pkgVersion"]
    assert meilisearch.Client(fake.url).is_healthy()
    missing = requests.get(f"{fake.url}/indexes/x", timeout=5)
    assert missing.status_code == 401
    assert missing.json()["code"] == "missing_authorization_header"
    with pytest.raises(MeilisearchApiError) as wrong:
        meilisearch.Client(fake.url, fake.search_key).create_index("x")
    assert wrong.value.status_code == 403 and wrong.value.code == "invalid_api_key"


def test_fake_processes_tasks_in_order(fake: FakeMeilisearch) -> None:
    client = meilisearch.Client(fake.url, fake.master_key)
    fake.pause_tasks()
    index = client.index("books")
    first = index.add_documents([{"id": 1, "title": "one"}], primary_key="id")
    second = index.delete_documents(filter="id = 1")  # not filterable: fails
    third = index.add_documents([{"id": 2, "title": "two"}])
    assert client.get_task(first.task_uid).status == "enqueued"
    fake.resume_tasks()
    assert client.wait_for_task(third.task_uid).status == "succeeded"
    failed = client.get_task(second.task_uid)
    assert failed.status == "failed" and failed.error["code"] == "invalid_document_filter"
    assert set(fake.documents("books")) == {"1", "2"}


@pytest.mark.parametrize(("expression", "expected"), [
    ('tag = "a\\"b"', [1]),
    ("tag = 'it\\'s'", [2]),
    ('tag = "back\\\\slash"', [3]),
    ("n >= 2 AND n < 3", [2]),
    ("n 1 TO 2", [1, 2]),
    ("tag IN [x, 'it\\'s', \"a\\\"b\"]", [1, 2]),
    ("tag NOT IN [x, 'it\\'s']", [1, 3]),
    ("n != 1", [2, 3]),
    ("NOT (n = 1 OR n = 2)", [3]),
    ("n = 1 OR n = 2 AND tag = x", [1]),
])
def test_fake_filters(fake: FakeMeilisearch, expression: str, expected: list[int]) -> None:
    client = meilisearch.Client(fake.url, fake.master_key)
    index = client.index("things")
    index.update_settings({"filterableAttributes": ["tag", "n"]})
    task = index.add_documents([{"id": 1, "tag": 'a"b', "n": 1},
                                {"id": 2, "tag": "it's", "n": 2},
                                {"id": 3, "tag": "back\\slash", "n": 3}])
    client.wait_for_task(task.task_uid)
    found = index.search("", {"filter": expression})
    assert sorted(h["id"] for h in found["hits"]) == expected


@pytest.mark.parametrize("expression", [
    'tag = "open', "tag = ", "tag == 1", "tag = a b", "(tag = a", "tag IN [a", "AND",
    "tag = OR", "secret = 1",
])
def test_fake_rejects_bad_filters_like_meilisearch(fake: FakeMeilisearch,
                                                   expression: str) -> None:
    client = meilisearch.Client(fake.url, fake.master_key)
    client.wait_for_task(client.index("things").update_settings(
        {"filterableAttributes": ["tag"]}).task_uid)
    with pytest.raises(MeilisearchApiError) as bad:
        client.index("things").search("", {"filter": expression})
    assert bad.value.status_code == 400
    assert bad.value.code == "invalid_search_filter"
    assert bad.value.type == "invalid_request"
    assert bad.value.link == "https://docs.meilisearch.com/errors#invalid_search_filter"
