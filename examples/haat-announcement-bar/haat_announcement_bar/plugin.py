"""Announcement bar: a one-line message at the top of a store's pages.

An example of a third-party Haat plugin. It is found through the ``haat.plugins``
entry point ``announcement-bar`` (see setup.cfg), imports only ``core.sdk``, and
contributes data (``SlotContent``), never HTML: core escapes the message.
"""

from __future__ import annotations

from core.sdk import (
    ChoiceField,
    MultiChoiceField,
    PageContext,
    PluginManifest,
    SlotContent,
    StoreInfo,
    TextField,
    UrlField,
    hookimpl,
)

TONES = (("info", "Information"), ("sale", "Sale"), ("warning", "Warning"))
PAGES = (
    ("home", "Home page"),
    ("collection", "Collection pages"),
    ("product", "Product pages"),
    ("other", "Every other page (search, cart, ...)"),
)

manifest = PluginManifest(
    name="announcement-bar",
    title="Announcement bar",
    description="A one-line message at the top of your store's pages, with an optional link.",
    settings=(
        TextField("message", "Message", help="For example: Free delivery inside Dhaka.",
                  required=True, max_length=200),
        UrlField("link", "Link", help="Optional: where the message leads (https://...)."),
        ChoiceField("tone", "Tone", choices=TONES, default="info"),
        MultiChoiceField("show_on", "Show on", choices=PAGES,
                         default=tuple(value for value, _ in PAGES),
                         help="Leave all unticked to show it everywhere."),
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
