"""gift-wrap: the manifest and the footer note (see the package docstring)."""

from __future__ import annotations

from core.sdk import (
    ChoiceField,
    NumberField,
    PageContext,
    PluginManifest,
    PluginText,
    SlotContent,
    StoreInfo,
    format_number,
    hookimpl,
)

NAME = "gift-wrap"

_ = PluginText(__package__)

#: The papers a shop may wrap in: (value kept in the settings, label shown).
PAPERS = (("kraft", _.lazy("Brown kraft paper")), ("jute", _.lazy("Jute cloth")))

manifest = PluginManifest(
    name=NAME,
    title=_.lazy("Gift wrapping"),
    description=_.lazy("Shoppers can have their order wrapped as a gift."),
    settings=(
        ChoiceField("paper", _.lazy("Wrapping paper"), choices=PAPERS, default="kraft",
                    help=_.lazy("What the shop wraps gifts in.")),
        NumberField("max_items", _.lazy("Most items per order"), integer=True,
                    min_value=1, required=True,
                    help=_.lazy("How many items one order may have wrapped.")),
    ),
)


@hookimpl
def haat_slot(store: StoreInfo, name: str, page: PageContext) -> SlotContent | None:
    """A note in the footer, in the shopper's language and the store's digits."""
    if name != "footer":
        return None
    settings = store.plugin_settings(NAME)
    paper = dict(PAPERS).get(settings.get("paper"), PAPERS[0][1])
    most = settings.get("max_items") or 1
    limit = _.ngettext("Up to %(num)s item per order", "Up to %(num)s items per order",
                       most, num=format_number(store, most, page.locale))
    return SlotContent(text=_("Gift wrapping: %(paper)s", paper=paper) + " · " + limit)
