"""Announcement bar: a one-line message at the top of a store's pages.

An example of a third-party Haat plugin. It is found through the ``haat.plugins``
entry point ``announcement-bar`` (see setup.cfg), imports only ``core.sdk``, and
contributes data (``SlotContent``), never HTML: core escapes the message.

Its own words (title, description, settings) come from its catalogue,
``translations/<lang>/LC_MESSAGES/messages.po``, in the merchant's admin language; the
message itself is the merchant's own text, shown as they wrote it.
"""

from __future__ import annotations

from core.sdk import (
    ChoiceField,
    MultiChoiceField,
    PageContext,
    PluginManifest,
    PluginText,
    SlotContent,
    StoreInfo,
    TextField,
    UrlField,
    hookimpl,
)

_ = PluginText(__package__)  # translations/<lang>/LC_MESSAGES/messages.po

TONES = (("info", _.lazy("Information")), ("sale", _.lazy("Sale")),
         ("warning", _.lazy("Warning")))
PAGES = (
    ("home", _.lazy("Home page")),
    ("collection", _.lazy("Collection pages")),
    ("product", _.lazy("Product pages")),
    ("other", _.lazy("Every other page (search, cart, ...)")),
)

manifest = PluginManifest(
    name="announcement-bar",
    title=_.lazy("Announcement bar"),
    description=_.lazy("A one-line message at the top of your store's pages, with an "
                       "optional link."),
    settings=(
        TextField("message", _.lazy("Message"),
                  help=_.lazy("For example: Free delivery inside Dhaka."),
                  required=True, max_length=200),
        UrlField("link", _.lazy("Link"),
                 help=_.lazy("Optional: where the message leads (https://...).")),
        ChoiceField("tone", _.lazy("Tone"), choices=TONES, default="info"),
        MultiChoiceField("show_on", _.lazy("Show on"), choices=PAGES,
                         default=tuple(value for value, _label in PAGES),
                         help=_.lazy("Leave all unticked to show it everywhere.")),
    ),
)


def page_group(kind: str) -> str:
    """The ``show_on`` choice a page kind falls under."""
    return kind if kind in ("home", "collection", "product") else "other"


@hookimpl
def haat_slot(store: StoreInfo, name: str, page: PageContext) -> SlotContent | None:
    """The message in the ``header`` slot, on the page kinds the merchant chose."""
    if name != "header":
        return None
    settings = store.plugin_settings(manifest.name)
    message = settings.get("message")
    if not message or page_group(page.kind) not in settings.get("show_on", ()):
        return None
    return SlotContent(text=message, url=settings.get("link") or None,
                       css_class=f"announcement-{settings.get('tone') or 'info'}")
