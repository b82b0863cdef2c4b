"""The admin panel's strings: extracted into their own catalogue ("admin"), kept up to
date, and really sent through gettext when a page is rendered."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.util import pathmatch

import core
from admin_support import html, sign_in, use_admin_catalogue

ROOT = Path(core.__file__).parent.parent
TRANSLATIONS = ROOT / "core" / "translations"
#: As in the Makefile's ``messages`` target (pybabel adds -k to its default keywords).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "timeline_text": None}
UPDATE = "run `make messages` (it extracts core/translations/admin.pot and updates each admin.po)"


def _mapping(config: str) -> tuple[list[tuple[str, str]], dict]:
    with open(ROOT / config) as handle:
        return parse_mapping_cfg(handle, config)


def _ids(messages) -> set[str]:
    """Every msgid, singular and plural, of ``(id, ...)`` or catalogue messages."""
    found: set[str] = set()
    for message in messages:
        key = message if isinstance(message, (str, tuple)) else message.id
        found.update((key,) if isinstance(key, str) else key)
    found.discard("")
    return found


def _source_ids(config: str) -> set[str]:
    method_map, options_map = _mapping(config)
    return _ids(message for _, _, message, _, _ in
                extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS))


def _catalogue_ids(path: Path) -> set[str]:
    with open(path, "rb") as handle:
        return _ids(read_po(handle))


@pytest.fixture(scope="module")
def admin_pot() -> set[str]:
    return _catalogue_ids(TRANSLATIONS / "admin.pot")


def test_admin_pot_holds_exactly_the_strings_of_the_sources(admin_pot):
    extracted = _source_ids("babel-admin.cfg")
    assert len(extracted) > 300  # the extraction found the admin's strings at all
    missing = sorted(extracted - admin_pot)
    assert not missing, f"admin.pot lacks {len(missing)} admin strings {missing}: {UPDATE}"
    stale = sorted(admin_pot - extracted)
    assert not stale, f"admin.pot has strings no source uses any more {stale}: {UPDATE}"


@pytest.mark.parametrize("po", sorted(TRANSLATIONS.glob("*/LC_MESSAGES/admin.po")),
                         ids=lambda path: path.parts[-3])
def test_every_admin_catalogue_is_updated_from_the_pot(po, admin_pot):
    missing = sorted(admin_pot - _catalogue_ids(po))
    assert not missing, f"{po.parts[-3]}/admin.po lacks {missing}: {UPDATE}"


def test_english_has_an_admin_catalogue():
    assert (TRANSLATIONS / "en" / "LC_MESSAGES" / "admin.po").is_file()


def _extracted_by(config: str) -> set[str]:
    """The repository's files under core/ that ``config`` extracts strings from (pybabel
    uses the first pattern a file matches; ``ignore`` leaves it out)."""
    method_map = _mapping(config)[0]
    found = set()
    for path in ROOT.joinpath("core").rglob("*"):
        name = path.relative_to(ROOT).as_posix()
        method = next((m for pattern, m in method_map if pathmatch(pattern, name)), None)
        if path.is_file() and method not in (None, "ignore"):
            found.add(name)
    return found


def test_the_shopper_catalogue_leaves_the_admin_alone():
    """messages.pot (translated into bn and hy for shoppers) is built from other files:
    no file is extracted into both catalogues, and admin-only strings stay out of it."""
    admin_files = _extracted_by("babel-admin.cfg")
    assert {"core/admin/orders.py", "core/templates/admin/orders/detail.html"} <= admin_files
    both = sorted(admin_files & _extracted_by("babel.cfg"))
    assert not both, f"extracted into both messages.pot and admin.pot: {both}"
    shopper = _catalogue_ids(TRANSLATIONS / "messages.pot")
    for admin_only in ("Mark as paid", "New discount code", "Record refund",
                       "%(num)s customers"):
        assert admin_only not in shopper


# ------------------------------------------------- rendering through a test catalogue


MARKED = {
    "No discount codes yet.": "«No discount codes yet.»",
    "New discount code": "«New discount code»",
    "Minimum subtotal": "«Minimum subtotal»",  # a WTForms label (lazy_gettext)
    "Code %(code)s created.": "«Code %(code)s created.»",  # a flash message
    "Enter a whole number of 1 or more, or leave it empty.": "«Whole number, please.»",
    "No orders yet.": "«No orders yet.»",
    "Paid": "«Paid»",  # a state label (lazy) in the orders filter
    ("%(num)s code", "%(num)s codes"): ("«%(num)s code»", "«%(num)s codes»"),
}


@pytest.fixture
def marked_admin(app, tmp_path, monkeypatch):
    """The app reads English admin strings from a catalogue that marks a few of them
    (the shoppers' catalogue stays the real one)."""
    use_admin_catalogue(app, monkeypatch, tmp_path, "en", MARKED)


def test_admin_pages_are_rendered_through_gettext(make_store, store_client, marked_admin):
    tenant = make_store("i18n-shop", currency="BDT")
    client = sign_in(store_client, tenant)

    assert "«No orders yet.»" in html(client.get("/admin/orders"))
    assert ">«Paid»</option>" in html(client.get("/admin/orders"))
    assert "«No discount codes yet.»" in html(client.get("/admin/discounts"))

    form = html(client.get("/admin/discounts/new"))
    assert "<h1>«New discount code»</h1>" in form
    assert ">«Minimum subtotal»</label>" in form

    typed = {"code": "EID10", "kind": "percentage", "value": "10", "usage_limit": "many",
             "active": "y"}
    refused = client.post("/admin/discounts/new", data=typed)
    assert refused.status_code == 422
    assert "«Whole number, please.»" in html(refused)  # an InputError of listing.py

    created = client.post("/admin/discounts/new", data={**typed, "usage_limit": ""})
    assert created.status_code == 303
    listed = html(client.get(created.location))
    assert "«Code EID10 created.»" in listed
    assert "«1 code»" in listed
    client.post("/admin/discounts/new", data={**typed, "code": "EID20", "usage_limit": ""})
    assert "«2 codes»" in html(client.get("/admin/discounts"))


def test_without_a_translation_the_english_text_is_shown(make_store, store_client):
    tenant = make_store("plain-shop", currency="BDT")
    client = sign_in(store_client, tenant)
    client.post("/admin/discounts/new", data={"code": "EID10", "kind": "percentage",
                                              "value": "10", "active": "y"})
    listed = html(client.get("/admin/discounts"))
    assert "Code EID10 created." in listed and "1 code" in listed and "«" not in listed
