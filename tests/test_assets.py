"""Static files and media: fingerprinted URLs cached for a year, compressed copies,
compressed HTML, the favicon, and pages that reference no other host."""

from __future__ import annotations

import gzip
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from core.web.assets import AssetManifest, AssetNotFound

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STATIC = ROOT / "themes" / "default" / "static"
CORE_STATIC = ROOT / "core" / "static"
ONE_YEAR = 365 * 24 * 3600
HEX12 = "[0-9a-f]{12}"


# ------------------------------------------------------------------ helpers


class _Urls(HTMLParser):
    """Every URL a page makes the browser fetch or follow: src, href, srcset, action,
    poster, with whether it sits inside ``.product-video``."""

    ATTRIBUTES = ("src", "href", "action", "poster", "formaction", "data")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str, bool]] = []  # tag, attribute, url, in video
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._div_depth = 0
        self._video_depth: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "div":
            self._div_depth += 1
            classes = (attributes.get("class") or "").split()
            if "product-video" in classes and self._video_depth is None:
                self._video_depth = self._div_depth
        inside = self._video_depth is not None
        for name, value in attrs:
            if value is None:
                continue
            if name in self.ATTRIBUTES:
                self.found.append((tag, name, value.strip(), inside))
            elif name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    if candidate.strip():
                        self.found.append((tag, name, candidate.split()[0], inside))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "div":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag != "div":
            return
        if self._video_depth == self._div_depth:
            self._video_depth = None
        self._div_depth -= 1


def parse(html: str) -> _Urls:
    parser = _Urls()
    parser.feed(html)
    parser.close()
    return parser


def tag_with(html: str, tag: str, **wanted: str) -> dict[str, str | None]:
    found = [attrs for name, attrs in parse(html).tags if name == tag
             and all(attrs.get(k) == v for k, v in wanted.items())]
    assert len(found) == 1, f"{len(found)} <{tag}> with {wanted}"
    return found[0]


def max_age(response) -> int | None:
    return response.cache_control.max_age


@pytest.fixture
def shop(make_store, add_product):
    store = make_store("alpha-shop", name="Alpha Shop")
    add_product(store, "mug", title="Clay mug", price=1500, collection="kitchen", image=True,
                video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    add_product(store, "bowl", title="Rice bowl", collection="kitchen", image=True,
                video_url="https://vimeo.com/76979871")
    add_product(store, "cup", title="Tea cup", collection="kitchen",
                video_url="https://videos.example.org/cup.mp4")
    add_product(store, "plate", title="Plate", collection="kitchen")
    return store


@pytest.fixture
def alpha(shop, store_client):
    return store_client("alpha-shop")


# ------------------------------------------------------------------ fingerprinted assets


def _asset_urls(html: str) -> dict[str, str]:
    stylesheet = tag_with(html, "link", rel="stylesheet")["href"]
    icon = tag_with(html, "link", rel="icon")["href"]
    scripts = [attrs["src"] for name, attrs in parse(html).tags
               if name == "script" and attrs.get("src")]
    assert len(scripts) == 1, scripts
    return {"css": stylesheet, "icon": icon, "js": scripts[0]}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_pages_link_fingerprinted_stylesheet_script_and_icon(alpha):
    urls = _asset_urls(alpha.get("/").get_data(as_text=True))

    assert re.fullmatch(rf"/assets/themes/default/theme\.{HEX12}\.css", urls["css"])
    assert re.fullmatch(rf"/assets/themes/default/favicon\.{HEX12}\.svg", urls["icon"])
    assert re.fullmatch(rf"/assets/core/storefront\.{HEX12}\.js", urls["js"])
    # The fingerprint is the file's content hash.
    css_digest = _digest(DEFAULT_STATIC / "theme.css")
    assert urls["css"] == f"/assets/themes/default/theme.{css_digest}.css"
    assert urls["js"] == f"/assets/core/storefront.{_digest(CORE_STATIC / 'storefront.js')}.js"
    # Every storefront page uses the same URLs.
    for path in ("/collections/kitchen", "/products/mug", "/cart"):
        assert _asset_urls(alpha.get(path).get_data(as_text=True)) == urls, path


@pytest.mark.parametrize(("kind", "source", "mimetype"), [
    ("css", DEFAULT_STATIC / "theme.css", "text/css"),
    ("js", CORE_STATIC / "storefront.js", "text/javascript"),
    ("icon", DEFAULT_STATIC / "favicon.svg", "image/svg+xml"),
])
def test_assets_are_cached_for_a_year_as_immutable(alpha, kind, source, mimetype):
    url = _asset_urls(alpha.get("/").get_data(as_text=True))[kind]

    response = alpha.get(url)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.get_data() == source.read_bytes()
    assert response.cache_control.public
    assert response.cache_control.immutable
    # A year, as core/web/assets.py promises (and as /media/ answers).
    assert max_age(response) == ONE_YEAR
    assert "Content-Encoding" not in response.headers  # the client asked for nothing


@pytest.mark.parametrize(("kind", "source"), [("css", DEFAULT_STATIC / "theme.css"),
                                               ("js", CORE_STATIC / "storefront.js")])
def test_assets_come_gzipped_or_brotli_compressed_when_asked(alpha, kind, source):
    url = _asset_urls(alpha.get("/").get_data(as_text=True))[kind]

    zipped = alpha.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers.get("Vary", "")
    assert gzip.decompress(zipped.get_data()) == source.read_bytes()
    assert zipped.cache_control.immutable

    brotli = pytest.importorskip("brotli")
    squeezed = alpha.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(squeezed.get_data()) == source.read_bytes()


def test_an_unknown_or_stale_fingerprint_is_404(alpha):
    assert alpha.get("/assets/themes/default/theme.000000000000.css").status_code == 404
    assert alpha.get("/assets/themes/default/theme.css").status_code == 404
    assert alpha.get("/assets/themes/default/../../../pyproject.toml").status_code == 404


def test_the_manifest_url_changes_when_the_file_changes(tmp_path):
    source = tmp_path / "theme-static"
    (source / "img").mkdir(parents=True)
    css = source / "theme.css"
    css.write_text("body { color: #123456; }\n" * 200)
    (source / "img" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (source / ".DS_Store").write_bytes(b"junk")
    output = tmp_path / "assets"

    first = AssetManifest(output)
    first.collect({"themes/toy": source})
    old_url = first.url("themes/toy/theme.css")
    assert re.fullmatch(rf"/assets/themes/toy/theme\.{HEX12}\.css", old_url)
    assert re.fullmatch(rf"/assets/themes/toy/img/logo\.{HEX12}\.svg",
                        first.url("themes/toy/img/logo.svg"))
    assert set(first.urls) == {"themes/toy/theme.css", "themes/toy/img/logo.svg"}
    old_file = output / old_url.removeprefix("/assets/")
    assert old_file.read_bytes() == css.read_bytes()
    assert gzip.decompress(Path(f"{old_file}.gz").read_bytes()) == css.read_bytes()
    with pytest.raises(AssetNotFound):
        first.url("themes/toy/missing.css")

    # The same content gives the same URL (several workers agree).
    again = AssetManifest(output)
    again.collect({"themes/toy": source})
    assert again.url("themes/toy/theme.css") == old_url

    css.write_text("body { color: #654321; }\n" * 200)
    changed = AssetManifest(output)
    changed.collect({"themes/toy": source})
    new_url = changed.url("themes/toy/theme.css")
    assert new_url != old_url
    assert re.fullmatch(rf"/assets/themes/toy/theme\.{HEX12}\.css", new_url)
    new_file = output / new_url.removeprefix("/assets/")
    assert new_file.read_bytes() == css.read_bytes()
    # Pages still cached somewhere keep working: the old copy stays.
    assert old_file.is_file() and old_file.read_bytes() != new_file.read_bytes()
    # An unchanged file keeps its URL.
    assert changed.url("themes/toy/img/logo.svg") == first.url("themes/toy/img/logo.svg")


# ------------------------------------------------------------------ compressed HTML


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_storefront_html_is_compressed_when_the_client_accepts_it(alpha, encoding):
    plain = alpha.get("/collections/kitchen")
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain.headers
    html = plain.get_data(as_text=True)
    assert html.lstrip().lower().startswith("<!doctype html>")

    response = alpha.get("/collections/kitchen", headers={"Accept-Encoding": encoding})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers.get("Vary", "")
    body = response.get_data()
    if encoding == "gzip":
        unpacked = gzip.decompress(body)
    else:
        unpacked = pytest.importorskip("brotli").decompress(body)
    assert len(body) < len(unpacked)
    assert unpacked.decode() == html


def test_html_is_not_compressed_for_a_client_that_does_not_accept_it(alpha):
    for accept in ("identity", "", "compress"):
        response = alpha.get("/products/mug", headers={"Accept-Encoding": accept})
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers, accept
        assert b"Clay mug" in response.get_data()


# ------------------------------------------------------------------ favicon and media


def test_favicon_ico_redirects_to_the_themes_svg_icon(alpha):
    icon = _asset_urls(alpha.get("/").get_data(as_text=True))["icon"]

    response = alpha.get("/favicon.ico")
    assert response.status_code in (301, 308)
    assert urlsplit(response.headers["Location"]).path == icon
    served = alpha.get(icon)
    assert served.status_code == 200
    assert served.mimetype == "image/svg+xml"
    assert served.get_data() == (DEFAULT_STATIC / "favicon.svg").read_bytes()


def _media_urls(html: str) -> list[str]:
    return sorted({url for _tag, _name, url, _video in parse(html).found
                   if url.startswith("/media/")})


def test_product_media_is_cached_immutably(alpha):
    urls = _media_urls(alpha.get("/products/mug").get_data(as_text=True))
    assert any(u.endswith(".webp") for u in urls) and len(urls) >= 3

    for url in urls:
        response = alpha.get(url)
        assert response.status_code == 200, url
        assert response.mimetype.startswith("image/"), url
        assert response.cache_control.immutable, url
        assert max_age(response) == ONE_YEAR, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.get_data()[:4] in (b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1",
                                           b"\x89PNG", b"RIFF"), url


def test_media_path_traversal_and_other_stores_files_are_404(
        app, shop, alpha, make_store, add_product, store_client):
    other = make_store("beta-shop", name="Beta Shop")
    add_product(other, "secret-lamp", image=True)
    beta_url = _media_urls(store_client("beta-shop").get("/products/secret-lamp")
                           .get_data(as_text=True))[0]
    beta_key = beta_url.removeprefix("/media/")
    assert store_client("beta-shop").get(beta_url).status_code == 200

    media_dir = Path(app.config["HAAT_MEDIA_DIR"])
    (media_dir / "outside.txt").write_text("not for shoppers")
    for path in (
        f"/media/{beta_key}",  # B's file asked on A's host
        f"/media/../{other.id}/{beta_key}",
        f"/media/..%2F{other.id}%2F{beta_key.replace('/', '%2F')}",
        f"/media/%2E%2E/{other.id}/{beta_key}",
        "/media/../outside.txt",
        "/media/..%2Foutside.txt",
        "/media/products/..%2F..%2Foutside.txt",
        "/media/%2Fetc%2Fpasswd",
        "/media//etc/passwd",
        "/media/products/../../../../../../etc/passwd",
        "/media/products/nothing-here.jpg",
    ):
        response = alpha.get(path, follow_redirects=True)  # "//" redirects to "/" first
        assert response.status_code == 404, path
        assert b"not for shoppers" not in response.get_data(), path
        assert b"root:" not in response.get_data(), path


# ------------------------------------------------------------------ no other hosts


STORE_HOST = "alpha-shop.localhost"


def _foreign_urls(html: str) -> list[tuple[str, str, str]]:
    """URLs that point at another host, except video links inside ``.product-video``."""
    bad = []
    for tag, name, url, in_video in parse(html).found:
        parts = urlsplit(url)
        if parts.scheme in ("mailto", "tel"):
            continue
        if parts.scheme and parts.scheme not in ("http", "https"):
            bad.append((tag, name, url))  # javascript:, data:, ftp: ...
            continue
        if not parts.netloc or parts.hostname == STORE_HOST:
            continue
        if in_video and tag in ("a", "video"):
            continue
        bad.append((tag, name, url))
    return bad


@pytest.mark.parametrize("path", ["/", "/collections/kitchen", "/collections/all",
                                  "/products/mug", "/products/bowl", "/products/cup",
                                  "/products/plate", "/cart", "/no-such-page"])
def test_pages_reference_no_other_host(alpha, path):
    response = alpha.get(path)
    assert response.status_code in (200, 404)
    html = response.get_data(as_text=True)
    found = parse(html).found
    assert len(found) > 10  # the parser sees the page's links
    assert _foreign_urls(html) == []


@pytest.mark.parametrize(("handle", "provider_host"), [("mug", "www.youtube.com"),
                                                       ("bowl", "vimeo.com"),
                                                       ("cup", "videos.example.org")])
def test_video_links_go_to_the_provider_only_from_the_video_block(alpha, handle,
                                                                  provider_host):
    html = alpha.get(f"/products/{handle}").get_data(as_text=True)
    outside = [(tag, url) for tag, _name, url, in_video in parse(html).found
               if urlsplit(url).netloc and urlsplit(url).hostname != STORE_HOST]
    assert outside, "the product's video is not linked"
    for tag, url in outside:
        assert urlsplit(url).hostname == provider_host, url
        assert tag in ("a", "video"), tag
    in_video = [(tag, url) for tag, _name, url, inside in parse(html).found if inside]
    assert {urlsplit(url).hostname for _tag, url in in_video} == {provider_host}
    # The provider is never contacted before the shopper asks.
    for name, attrs in parse(html).tags:
        if name in ("iframe", "script", "img", "source", "link"):
            for attr in ("src", "href"):
                value = attrs.get(attr) or ""
                assert not urlsplit(value).netloc, (name, value)
        if name == "video":
            assert attrs.get("preload") == "none"


def test_the_parser_catches_a_foreign_url_outside_the_video_block():
    page = ('<div class="product-video"><a href="https://www.youtube.com/watch?v=x">w</a>'
            '</div><img src="https://cdn.example.com/a.png" srcset="/a.png 1x, '
            '//tracker.example.net/b.png 2x"><a href="https://www.youtube.com/x">y</a>'
            '<form action="http://alpha-shop.localhost/cart/add"></form>')
    assert _foreign_urls(page) == [
        ("img", "src", "https://cdn.example.com/a.png"),
        ("img", "srcset", "//tracker.example.net/b.png"),
        ("a", "href", "https://www.youtube.com/x"),
    ]


def test_a_page_with_its_own_styles_links_them_after_the_themes(alpha):
    def stylesheets(path: str) -> list[str]:
        html = alpha.get(path).get_data(as_text=True)
        return [attrs["href"] for name, attrs in parse(html).tags
                if name == "link" and attrs.get("rel") == "stylesheet"]

    home = stylesheets("/")
    assert len(home) == 1
    search = stylesheets("/search?q=mug")  # its results page, even when search is off
    assert search[0] == home[0]
    digest = _digest(DEFAULT_STATIC / "search.css")
    assert search[1:] == [f"/assets/themes/default/search.{digest}.css"]
