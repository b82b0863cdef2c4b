"""A plugin's own catalogue (``core.sdk.PluginText``): its title, description, settings
labels, help texts and choices in the merchant's admin language, its shopper-facing words
in the shopper's language, English where a translation is missing, and the check that a
plugin's catalogues translate every message it uses.

``gift_wrap`` (tests/gift_wrap) is a small plugin written for this file; the suite's
sample plugin (tests/sample_plugin) has a catalogue as well.
"""

from __future__ import annotations

import importlib
import io
import pickle
import re
import textwrap
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError

from admin_support import html, sign_in
from conftest import PASSWORD
from core.db import db
from core.pluginhost.translations import assert_translated, untranslated
from core.sdk import FieldError, LazyText, NumberField, PluginText
from core.staff.models import ROLE_OWNER, StaffUser
from tenants import tenant_scope

GIFT_WRAP = "gift-wrap"


@pytest.fixture
def gift_wrap(install_plugin):
    return install_plugin(importlib.import_module("gift_wrap.plugin"))


@pytest.fixture
def dhaka(make_store):
    """A Bengali store; its owner reads the admin in Bengali (the store's language)."""
    return make_store("dhaka-gifts", locale="bn", currency="BDT", bengali_digits=True)


def add_owner(app, tenant, email: str, locale: str | None) -> None:
    """A second owner of ``tenant`` who chose ``locale`` as their admin language."""
    with app.app_context(), tenant_scope(tenant.id):
        user = StaffUser(email=email, role=ROLE_OWNER, locale=locale)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()


def setting_error(page: str, name: str) -> str:
    found = re.search(rf'<p class="error" id="setting-{name}-error">([^<]*)</p>', page)
    return found.group(1) if found else ""


# ---------------------------------------------------------------- the admin


def test_the_bengali_admin_shows_the_plugin_in_bengali_and_english_to_an_english_owner(
        app, gift_wrap, dhaka, store_client):
    add_owner(app, dhaka, "rafiq@dhaka-gifts.example", "en")
    bengali = sign_in(store_client, dhaka)
    english = sign_in(store_client, dhaka, "rafiq@dhaka-gifts.example")

    # Alternating requests, one manifest: each page is in its reader's language.
    for _round in range(2):
        listed = html(bengali.get("/admin/plugins"))
        assert "<h2>উপহারের মোড়ক</h2>" in listed
        assert "ক্রেতারা তাঁদের অর্ডার উপহারের মোড়কে মুড়িয়ে নিতে পারেন।" in listed
        assert "Gift wrapping" not in listed
        listed = html(english.get("/admin/plugins"))
        assert "<h2>Gift wrapping</h2>" in listed
        assert "Shoppers can have their order wrapped as a gift." in listed
        assert "উপহারের মোড়ক" not in listed

    form = html(bengali.get(f"/admin/plugins/{GIFT_WRAP}"))
    assert "<h1>উপহারের মোড়ক</h1>" in form
    assert '<label for="setting-paper">মোড়কের কাগজ</label>' in form
    assert '<p class="help" id="setting-paper-help">দোকান কী দিয়ে উপহার মোড়ায়।</p>' in form
    assert '<option value="kraft" selected>বাদামি ক্রাফট কাগজ</option>' in form
    assert '<option value="jute">পাটের কাপড়</option>' in form
    assert "প্রতি অর্ডারে সর্বোচ্চ পণ্য" in form
    assert "একটি অর্ডারে কয়টি পণ্য মুড়িয়ে দেওয়া যাবে।" in form

    form = html(english.get(f"/admin/plugins/{GIFT_WRAP}"))
    assert '<label for="setting-paper">Wrapping paper</label>' in form
    assert '<option value="jute">Jute cloth</option>' in form
    assert "How many items one order may have wrapped." in form


def test_switching_on_flashes_the_title_in_the_admin_language(
        app, gift_wrap, dhaka, store_client):
    owner = sign_in(store_client, dhaka)
    switched = owner.post(f"/admin/plugins/{GIFT_WRAP}/toggle", data={"enabled": "1"})
    assert switched.status_code == 303
    page = html(owner.get("/admin/plugins"))
    assert "উপহারের মোড়ক চালু করা হয়েছে।" in page
    # The required "Most items per order" is not filled in yet.
    assert "উপহারের মোড়ক কাজ করার আগে এর সেটিংস পূরণ করতে হবে।" in page
    assert "Gift wrapping" not in page


def test_field_messages_are_in_the_admin_language(app, gift_wrap, dhaka, store_client):
    add_owner(app, dhaka, "rafiq@dhaka-gifts.example", "en")
    bengali = sign_in(store_client, dhaka)
    english = sign_in(store_client, dhaka, "rafiq@dhaka-gifts.example")
    url = f"/admin/plugins/{GIFT_WRAP}"

    cases = [
        ({"paper": "kraft", "max_items": "abc"}, "max_items",
         "একটি সংখ্যা লিখুন।", "Enter a number."),
        ({"paper": "kraft", "max_items": "0"}, "max_items",
         "১ বা তার বেশি লিখুন।", "Enter 1 or more."),  # the store writes Bengali digits
        ({"paper": "kraft", "max_items": ""}, "max_items",
         "প্রতি অর্ডারে সর্বোচ্চ পণ্য পূরণ করা আবশ্যক।", "Most items per order is required."),
        ({"paper": "silk", "max_items": "2"}, "paper",
         "অপশনগুলোর একটি বেছে নিন।", "Choose one of the options."),
    ]
    for typed, field, in_bengali, in_english in cases:
        refused = bengali.post(url, data=typed)
        assert refused.status_code == 422
        page = html(refused)
        assert setting_error(page, field) == in_bengali
        assert f'value="{typed["max_items"]}"' in page  # what was typed stays
        assert setting_error(html(english.post(url, data=typed)), field) == in_english
    assert bengali.post(url, data={"paper": "jute", "max_items": "3"}).status_code == 303


def test_a_plugins_own_field_message_is_shown_as_it_gave_it():
    def no_thirteen(value):
        return "Not 13, please." if value == 13 else None

    field = NumberField("n", "N", integer=True, validators=(no_thirteen,))
    with pytest.raises(FieldError) as refused:
        field.parse("13")
    assert str(refused.value) == "Not 13, please." and refused.value.variables == {}
    with pytest.raises(FieldError) as core_message:
        NumberField("n", "N", min_value=5).parse("2")
    assert core_message.value.message == "Enter %(min)s or more."
    assert str(core_message.value) == "Enter 5 or more."
    percent = FieldError("Up to 50% off only")  # no variables: never %-formatted
    assert str(percent) == "Up to 50% off only"


def test_an_armenian_store_s_admin_shows_the_plugin_in_armenian(
        app, gift_wrap, make_store, store_client):
    # The admin has an Armenian catalogue, so a plugin's own words are Armenian there too.
    yerevan = make_store("yerevan-gifts", locale="hy", currency="AMD")
    page = html(sign_in(store_client, yerevan).get("/admin/plugins"))
    assert '<html lang="hy">' in page
    assert "<h2>Gift wrapping</h2>" not in page and "<h2>Նվերի" in page


def test_the_sample_plugin_s_title_comes_from_its_catalogue(app, dhaka, store_client):
    page = html(sign_in(store_client, dhaka).get("/admin/plugins"))
    assert "<h2>নোটিশ বোর্ড</h2>" in page
    assert "ক্রেতাদের জন্য দোকানের টাঙিয়ে রাখা নোট, আলাদা একটি পাতায়।" in page


# ---------------------------------------------------------------- shoppers


def test_shopper_words_follow_the_shopper_s_language(
        app, gift_wrap, dhaka, enable_plugin, store_client):
    enable_plugin(dhaka, GIFT_WRAP, settings={"paper": "jute", "max_items": 3})
    shopper = store_client("dhaka-gifts")
    expected = {
        "bn": "উপহারের মোড়ক: পাটের কাপড় · প্রতি অর্ডারে সর্বোচ্চ ৩টি পণ্য",
        "hy": "Նվերի փաթեթավորում՝ Ջուտե կտոր · Մինչև 3 ապրանք մեկ պատվերում",
        "en": "Gift wrapping: Jute cloth · Up to 3 items per order",
    }
    for language, words in [*expected.items(), ("bn", expected["bn"])]:
        page = html(shopper.get(f"/?lang={language}"))
        assert words in page, language
        assert sum(text in page for text in expected.values()) == 1


# ---------------------------------------------------------------- PluginText


def make_package(root: Path, name: str, files: dict[str, str | bytes]) -> str:
    """A package ``name`` under ``root`` (on ``sys.path``) with ``files``."""
    for relative, content in {"__init__.py": "", **files}.items():
        path = root / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return name


def po(language: str, entries: str) -> str:
    header = f'''\
        msgid ""
        msgstr ""
        "Language: {language}\\n"
        "Plural-Forms: nplurals=2; plural=(n > 1);\\n"
        "Content-Type: text/plain; charset=utf-8\\n"

        '''
    return textwrap.dedent(header) + textwrap.dedent(entries)


@pytest.fixture
def on_path(tmp_path, monkeypatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    return tmp_path


def test_gettext_falls_back_to_english_and_ignores_fuzzy_entries(on_path):
    name = make_package(on_path, "texts_fallback", {
        "translations/bn/LC_MESSAGES/messages.po": po("bn", '''\
            msgid "Hello"
            msgstr "হ্যালো"

            #, fuzzy
            msgid "Goodbye"
            msgstr "বিদায়"

            #, python-format
            msgid "Hi %(name)s"
            msgstr "হাই %(nam)s"
            '''),
    })
    text = PluginText(name)
    assert text("Hello", locale="bn") == "হ্যালো"
    assert text.gettext("Hello", locale="bn_BD") == "হ্যালো"
    assert text("Hello", locale="hy") == "Hello"  # no Armenian catalogue
    assert text("Hello", locale="en") == "Hello"
    assert text("Not in it", locale="bn") == "Not in it"
    assert text("Hello", locale="../bn") == "Hello"  # not a language: no folder is read
    assert text("Goodbye", locale="bn") == "Goodbye"  # fuzzy: not trusted
    # A translator's slip in a placeholder shows English rather than breaking the page.
    assert text("Hi %(name)s", locale="bn", name="Mina") == "Hi Mina"
    assert text("50% off") == "50% off"  # no variables: never %-formatted


def test_a_package_may_ship_compiled_catalogues_only(on_path):
    catalogue = Catalog(locale="hy")
    catalogue.add(("%(num)s book", "%(num)s books"), ("%(num)s գիրք", "%(num)s գիրք"))
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    name = make_package(on_path, "texts_compiled", {
        "translations/hy/LC_MESSAGES/shop.mo": compiled.getvalue()})
    text = PluginText(name, domain="shop")
    assert text.ngettext("%(num)s book", "%(num)s books", 4, locale="hy") == "4 գիրք"
    assert text.ngettext("%(num)s book", "%(num)s books", 1, locale="en") == "1 book"
    assert text.ngettext("%(num)s book", "%(num)s books", 4, locale="en", num="৪") == "৪ books"
    assert set(text.catalogue_files()) == {"hy"}


def test_an_unreadable_catalogue_shows_english(on_path, caplog):
    name = make_package(on_path, "texts_broken", {
        "translations/bn/LC_MESSAGES/messages.po": b"\xff\xfe not a catalogue \x00\x01"})
    assert PluginText(name)("Hello", locale="bn") == "Hello"
    assert "cannot read the bn catalogue of texts_broken" in caplog.text


def test_lazy_texts_are_translated_when_shown(app, on_path, make_store):
    name = make_package(on_path, "texts_lazy", {
        "translations/bn/LC_MESSAGES/messages.po": po("bn", '''\
            msgid "Gift wrapping"
            msgstr "উপহারের মোড়ক"
            '''),
        "translations/hy/LC_MESSAGES/messages.po": po("hy", '''\
            msgid "Gift wrapping"
            msgstr "Նվերի փաթեթավորում"
            '''),
    })
    title = PluginText(name).lazy("Gift wrapping")
    assert isinstance(title, LazyText) and str(title) == "Gift wrapping"  # no store: English
    bengali = make_store("lazy-shop", locale="bn", currency="BDT")
    with app.app_context(), tenant_scope(bengali.id):  # a job: the store's language
        assert str(title) == "উপহারের মোড়ক"
        assert f"{title}!" == "উপহারের মোড়ক!" and title + "." == "উপহারের মোড়ক."
        assert title == "উপহারের মোড়ক" and "মোড়ক" in title and len(title) == 13
    for query, shown in (("?lang=hy", "Նվերի փաթեթավորում"), ("?lang=en", "Gift wrapping"),
                         ("", "উপহারের মোড়ক")):  # a shopper's page: their language
        with app.test_request_context(f"/{query}", base_url="http://lazy-shop.localhost"):
            app.preprocess_request()  # finds the store, as a real request does
            assert str(title) == shown
    assert title.lower() == "gift wrapping" and bool(title)
    assert sorted([title, "Apples"]) == ["Apples", title]
    copied = pickle.loads(pickle.dumps(title))  # noqa: S301  (our own bytes)
    assert copied == title and copied.message == "Gift wrapping"


def test_plugin_text_needs_a_package():
    with pytest.raises(TypeError):
        PluginText(None)  # type: ignore[arg-type]
    with pytest.raises(ModuleNotFoundError):
        PluginText("no_such_package_anywhere")("Hello", locale="bn")


# ---------------------------------------------------------------- the check


def test_the_suite_s_plugins_are_fully_translated():
    assert_translated("sample_plugin")
    assert_translated("gift_wrap")


def test_the_check_names_every_untranslated_message(on_path):
    name = make_package(on_path, "texts_check", {
        "plugin.py": '''\
            from core.sdk import PluginText

            _ = PluginText(__package__)
            TITLE = _.lazy("Saved items")
            def note(n):
                return _.ngettext("%(num)s item", "%(num)s items", n)
            def hello(name):
                return _("Hello %(name)s", name=name)
            def empty():
                return _("Nothing saved yet")
            ''',
        "templates/texts_check/page.html": '<h1>{{ t("Your list") }}</h1>',
        "translations/bn/LC_MESSAGES/messages.po": po("bn", '''\
            msgid "Saved items"
            msgstr "সংরক্ষিত পণ্য"

            #, python-format
            msgid "%(num)s item"
            msgid_plural "%(num)s items"
            msgstr[0] "%(num)sটি পণ্য"
            msgstr[1] ""

            #, python-format
            msgid "Hello %(name)s"
            msgstr "হ্যালো %(nme)s"

            #, fuzzy
            msgid "Nothing saved yet"
            msgstr "এখনো কিছু নেই"

            msgid "Your list"
            msgstr "আপনার তালিকা"

            msgid "An old message"
            msgstr "পুরোনো বার্তা"
            '''),
        "translations/hy/LC_MESSAGES/messages.po": po("hy", '''\
            msgid "Saved items"
            msgstr "Պահված ապրանքներ"
            '''),
    })
    found = {(item.language, item.message): item.problem for item in untranslated(name)}
    assert found.pop(("bn", "%(num)s item")) == "empty"
    assert found.pop(("bn", "Hello %(name)s")).startswith("mistranslated")
    assert found.pop(("bn", "Nothing saved yet")) == "fuzzy"
    assert found == {("hy", message): "missing" for message in (
        "%(num)s item", "Hello %(name)s", "Nothing saved yet", "Your list",
        "An old message")}
    where = {item.message: item.where for item in untranslated(name, ["hy"])}
    assert where["Your list"] == "templates/texts_check/page.html:1"
    assert where["An old message"] == "translations/bn/LC_MESSAGES/messages.po"

    with pytest.raises(AssertionError, match=r"hy: 'Your list' is missing"):
        assert_translated(name)


def test_an_unreadable_catalogue_fails_the_check(on_path):
    name = make_package(on_path, "texts_unreadable", {
        "translations/bn/LC_MESSAGES/messages.po": 'msgid "A"\nmsgstr "B"\nmsgid\n'})
    with pytest.raises(PoFileError):
        untranslated(name)
