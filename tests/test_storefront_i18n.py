"""Languages on the storefront: the store's default, the shopper's switch, the catalogues."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import core

TRANSLATIONS = Path(core.__file__).parent / "translations"
SCRIPTS = {"bn": re.compile("[\u0980-\u09ff]"), "hy": re.compile("[\u0530-\u058f]")}
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _catalogue(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def _pot_ids() -> set[str]:
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("lang", ["bn", "hy"])
def test_every_shopper_string_is_translated_in_the_right_script(lang):
    catalogue = _catalogue(lang)
    translated = {}
    for message in catalogue:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        assert not message.fuzzy, key
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert text, f"{lang}: {key!r} is not translated"
            assert SCRIPTS[lang].search(text), f"{lang}: {key!r} -> {text!r} is not in {lang}"
            source = message.id if isinstance(message.id, str) else message.id[0]
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(source)), key
        translated[key] = strings
    missing = _pot_ids() - set(translated)
    assert not missing, f"{lang} lacks {sorted(missing)} (run `make messages`)"


def _translation(lang: str, msgid: str) -> str:
    return _catalogue(lang)[msgid].string


@pytest.fixture
def stores(make_store, add_product):
    bengali = make_store("dhaka-shop", locale="bn", currency="BDT", bengali_digits=True)
    armenian = make_store("yerevan-shop", locale="hy", currency="AMD")
    for store in (bengali, armenian):
        add_product(store, "tea", title="Tea", price=125000, stock=3)
    return bengali, armenian


def test_pages_open_in_the_store_language_with_its_numbers(stores, store_client):
    html = store_client("dhaka-shop").get("/products/tea").get_data(as_text=True)
    assert '<html lang="bn"' in html
    assert _translation("bn", "Add to cart") in html
    assert "১,২৫০.০০৳" in html  # Bengali digits and the taka sign, as the store chose
    armenian = store_client("yerevan-shop").get("/products/tea").get_data(as_text=True)
    assert '<html lang="hy"' in armenian
    assert _translation("hy", "Add to cart") in armenian
    assert "1\xa0250,00\xa0֏" in armenian


def test_the_shopper_switch_is_remembered_per_store(stores, app, store_client):
    from conftest import client_for

    shopper = client_for(app, "dhaka-shop.localhost")
    switched = shopper.get("/?lang=en")
    cookie = switched.headers["Set-Cookie"]
    assert "haat_lang=en" in cookie and "Domain" not in cookie  # host-only: this store
    later = shopper.get("/products/tea").get_data(as_text=True)
    assert '<html lang="en"' in later and "Add to cart" in later
    assert "৳1,250.00" in later or "BDT1,250.00" in later  # Latin digits in English
    nav = re.search(r'<nav class="language-switch".*?</nav>', later, re.S).group(0)
    assert re.search(r'data-locale="en" aria-current="true"', nav)
    assert 'href="/products/tea?lang=bn"' in nav
    # The same browser on another store still gets that store's own language.
    other = client_for(app, "yerevan-shop.localhost")
    other.set_cookie("haat_lang", "en", domain="dhaka-shop.localhost")
    assert '<html lang="hy"' in other.get("/").get_data(as_text=True)


def test_unknown_languages_are_ignored(stores, store_client):
    client = store_client("dhaka-shop")
    response = client.get("/?lang=xx")
    assert '<html lang="bn"' in response.get_data(as_text=True)
    assert "haat_lang" not in response.headers.get("Set-Cookie", "")


def test_cart_messages_are_translated(stores, store_client):
    client = store_client("yerevan-shop")
    page = client.get("/products/tea").get_data(as_text=True)
    product_id = re.search(r'name="product_id" value="(\d+)"', page).group(1)
    refused = client.post("/cart/add", data={"product_id": product_id, "quantity": "9"})
    assert refused.status_code == 422
    expected = _translation("hy", "Only %(stock)s left.") % {"stock": 3}
    assert expected in refused.get_data(as_text=True)
