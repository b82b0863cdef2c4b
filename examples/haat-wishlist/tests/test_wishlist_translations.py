"""The wishlist's own catalogue (``core.sdk.PluginText``): every message it uses is
translated into Bengali and Armenian, and merchants and shoppers see their language.
"""

from __future__ import annotations

import pytest
from haat_wishlist.plugin import manifest
from haat_wishlist.text import _

# The check docs/plugin-translations.md gives plugin authors ("Testing for untranslated
# messages").
from core.pluginhost.translations import assert_translated, used_messages


def test_every_message_is_translated_into_bengali_and_armenian():
    assert_translated("haat_wishlist", ("bn", "hy"))


def test_the_check_sees_the_templates_and_the_lazy_texts():
    used = used_messages("haat_wishlist")
    assert "Add to cart" in used          # t("...") in the page's template
    assert "Keep saved products for (days)" in used  # _.lazy(...) of a setting
    assert "%(num)s product saved" in used  # _.ngettext(...)


@pytest.mark.parametrize(("locale", "title", "button"), [
    ("en", "Wishlist", "Save for later"),
    ("bn", "পছন্দের তালিকা", "পরে কেনার জন্য রাখুন"),
    ("hy", "Ցանկությունների ցուցակ", "Պահել հետագայի համար"),
])
def test_the_words_in_each_language(locale, title, button):
    assert _("Wishlist", locale=locale) == title
    assert _("Save for later", locale=locale) == button


def test_plural_counts_in_each_language():
    assert _.ngettext("%(num)s product saved", "%(num)s products saved", 3,
                      locale="en") == "3 products saved"
    assert _.ngettext("%(num)s product saved", "%(num)s products saved", 3,
                      locale="bn", num="৩") == "৩টি পণ্য রাখা আছে"
    assert _.ngettext("%(num)s product saved", "%(num)s products saved", 3,
                      locale="hy") == "Պահված է 3 ապրանք"


def test_the_plugins_list_in_the_merchants_language(haat_store, haat_admin_client):
    dhaka = haat_store("dhaka-shop", locale="bn", currency="BDT")
    page = haat_admin_client(dhaka).get("/admin/plugins").get_data(as_text=True)
    assert "পছন্দের তালিকা" in page  # the manifest's title
    assert "পণ্য পরে কেনার জন্য রেখে দেন" in page  # its description
    assert str(manifest.description) not in page  # (the English text)
