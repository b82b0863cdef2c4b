"""The announcement bar, tested the way any plugin author would: with Haat's fixtures.

No conftest.py: ``haat_app``, ``haat_store``, ``haat_enable_plugin``, ``haat_client``
and ``haat_product`` come from Haat's pytest plugin (``core.testing``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from haat_announcement_bar.plugin import _, manifest, page_group

from core.testing import assert_translated

PLUGIN = "announcement-bar"
PACKAGE = "haat_announcement_bar"
SOURCE = Path(__file__).resolve().parents[1]
CATALOGUES = tuple(f"{PACKAGE}/translations/{language}/LC_MESSAGES/messages.po"
                   for language in ("bn", "hy"))


def _text(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_discovered_through_its_entry_point(haat_app):
    host = haat_app.extensions["haat_plugins"]
    assert PLUGIN in host.installed
    installed = host.installed[PLUGIN]
    assert installed.distribution == "haat-announcement-bar"
    assert installed.version == "0.1.0"
    assert installed.manifest is manifest
    assert not [p for p in host.problems if p.entry_point == PLUGIN]


def test_shows_the_message_escaped_on_the_enabled_store_only(haat_store, haat_enable_plugin,
                                                             haat_client):
    store_a = haat_store("store-a")
    store_b = haat_store("store-b")
    haat_enable_plugin(store_a, PLUGIN,
                       settings={"message": "Eid sale <script>alert(1)</script> & more"})

    page = _text(haat_client(store_a))
    assert "Eid sale &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "<script>alert(1)</script>" not in page
    assert "announcement-info" in page  # the default tone

    other = _text(haat_client(store_b))
    assert "Eid sale" not in other
    assert "announcement-" not in other


def test_link_and_tone(haat_store, haat_enable_plugin, haat_client):
    shop = haat_store("dhaka-sale", locale="bn", currency="BDT")
    haat_enable_plugin(shop, PLUGIN, settings={
        "message": "৫০% ছাড়", "link": "https://dhaka-sale.example/eid", "tone": "sale",
    })
    page = _text(haat_client(shop))
    assert '<a href="https://dhaka-sale.example/eid">৫০% ছাড়</a>' in page
    assert "announcement-sale" in page


def test_show_on_defaults_to_every_page_kind(haat_store, haat_enable_plugin):
    shop = haat_store("store-a")
    settings = haat_enable_plugin(shop, PLUGIN, settings={"message": "Hello"})
    assert settings["show_on"] == ["home", "collection", "product", "other"]
    assert settings["tone"] == "info"
    assert settings["link"] is None


def test_show_on_can_leave_out_product_pages(haat_store, haat_enable_plugin, haat_client,
                                             haat_product):
    shop = haat_store("store-a")
    haat_product(shop, "tea-cup", title="Tea cup", collection="kitchen")
    haat_enable_plugin(shop, PLUGIN, settings={"message": "Free delivery",
                                               "show_on": ["home", "collection"]})
    client = haat_client(shop)
    assert "Free delivery" in _text(client, "/")
    assert "Free delivery" in _text(client, "/collections/kitchen")
    product_page = _text(client, "/products/tea-cup")
    assert "Tea cup" in product_page
    assert "Free delivery" not in product_page


def test_show_on_other_pages_only(haat_store, haat_enable_plugin, haat_client, haat_product):
    shop = haat_store("store-a")
    haat_product(shop, "tea-cup")
    haat_enable_plugin(shop, PLUGIN, settings={"message": "Free delivery",
                                               "show_on": ["other"]})
    client = haat_client(shop)
    assert "Free delivery" not in _text(client, "/")
    assert "Free delivery" not in _text(client, "/products/tea-cup")


@pytest.mark.parametrize(("settings", "field"), [
    ({}, "message"),
    ({"message": "   "}, "message"),
    ({"message": "Hi", "link": "javascript:alert(1)"}, "link"),
    ({"message": "Hi", "link": "not a url"}, "link"),
    ({"message": "Hi", "tone": "loud"}, "tone"),
    ({"message": "Hi", "show_on": ["home", "checkout-only"]}, "show_on"),
])
def test_invalid_settings_are_refused(haat_store, haat_enable_plugin, haat_client,
                                      settings, field):
    shop = haat_store("store-a")
    with pytest.raises(AssertionError, match=rf"(?m)^\s+{field}: "):
        haat_enable_plugin(shop, PLUGIN, settings=settings)
    assert "announcement-" not in _text(haat_client(shop))  # nothing was switched on


def test_unknown_setting_names_are_refused(haat_store, haat_enable_plugin):
    shop = haat_store("store-a")
    with pytest.raises(AssertionError, match="colour"):
        haat_enable_plugin(shop, PLUGIN, settings={"message": "Hi", "colour": "red"})


@pytest.mark.parametrize(("kind", "group"), [
    ("home", "home"), ("collection", "collection"), ("product", "product"),
    ("search", "other"), ("cart", "other"), ("other", "other"),
])
def test_page_groups(kind, group):
    assert page_group(kind) == group


# ------------------------------------------------------- in the merchant's language


def test_every_message_is_translated_into_bengali_and_armenian():
    assert_translated(PACKAGE)


def test_the_words_in_each_language():
    assert [_("Announcement bar", locale=code) for code in ("en", "bn", "hy")] == [
        "Announcement bar", "ঘোষণা বার", "Հայտարարության գոտի"]
    assert str(manifest.title) == "Announcement bar"  # English outside a request


@pytest.mark.parametrize(("locale", "currency", "title", "label", "choice"), [
    ("bn", "BDT", "ঘোষণা বার", "বার্তা", "সেল"),
    ("hy", "AMD", "Հայտարարության գոտի", "Հաղորդագրություն", "Զեղչ"),
])
def test_the_settings_page_in_the_owners_language(haat_store, haat_admin_client, locale,
                                                  currency, title, label, choice):
    shop = haat_store(f"{locale}-notices", locale=locale, currency=currency)
    page = _text(haat_admin_client(shop), f"/admin/plugins/{PLUGIN}")
    assert f"<h1>{title}</h1>" in page
    assert (f'<label for="setting-message">{label} '
            '<span class="required" aria-hidden="true">*</span></label>') in page
    assert f'<option value="sale">{choice}</option>' in page
    assert "Announcement bar" not in page and "Leave all unticked" not in page


def test_the_catalogues_ship_in_the_wheel_and_the_sdist(tmp_path):
    """setup.cfg's package_data and MANIFEST.in list the .po files, so a non-editable
    ``pip install`` has them (an editable install reads the source folder)."""
    copy = tmp_path / "haat-announcement-bar"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns(
        "*.egg-info", "__pycache__", "build", "dist", ".pytest_cache"))
    dist = tmp_path / "dist"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    built = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--wheel-dir", str(dist), str(copy)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    built = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import sys; from setuptools import build_meta as b; "
         "b.build_sdist(sys.argv[1])", str(dist)],
        cwd=copy, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("haat_announcement_bar-*.whl")
    (sdist,) = dist.glob("haat_announcement_bar-*.tar.gz")
    with zipfile.ZipFile(wheel) as archive:
        assert set(CATALOGUES) <= set(archive.namelist())
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert set(CATALOGUES) <= in_sdist
