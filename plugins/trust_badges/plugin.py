"""Trust badges: true facts about the store, shown where shoppers decide.

The merchant chooses which badges go to each placement (product page, cart, checkout,
footer). What a badge says is read from the store, never typed by hand: the ways to pay
come from the store's enabled payment plugins, "secure checkout" from the request
itself, the contact badges from the store's details. A badge whose fact is not true
for the store (no HTTPS, no cash on delivery, no phone number) is left out even when
it is chosen. See docs/trust-badges.md.

The plugin contributes ``Badge`` data only; core renders it as an accessible list with
inline SVG icons and escapes every label. What the badges say is in ``texts.py``; the
settings page is in the merchant's admin language (``translations/``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.sdk import (
    BADGE_PLACEMENTS,
    Badge,
    BoolField,
    ChoiceField,
    LazyText,
    Money,
    MultiChoiceField,
    NumberField,
    PageContext,
    PluginManifest,
    PluginText,
    StoreInfo,
    TextField,
    format_number,
    hookimpl,
)

from .facts import StoreFacts
from .texts import text

_ = PluginText(__package__)

NONE = "none"

#: (value, what the merchant sees) for each badge, in the order they are shown.
BADGES: tuple[tuple[str, LazyText], ...] = (
    ("secure_checkout", _.lazy("Secure checkout (shown only on HTTPS pages)")),
    ("payment_methods", _.lazy("Ways to pay (from your payment plugins)")),
    ("cash_on_delivery", _.lazy("Cash on delivery (when a payment plugin offers it)")),
    ("free_shipping", _.lazy("Free shipping over an amount (from your shipping settings)")),
    ("returns", _.lazy("Returns or money-back guarantee (the days set below)")),
    ("rating", _.lazy("Store rating (from your reviews)")),
    ("contact", _.lazy("Phone, address and map link (from your store details)")),
)
CHOICES: tuple[tuple[str, LazyText], ...] = (
    *BADGES, (NONE, _.lazy("None: show no badges here")))

PLACEMENT_LABELS: Mapping[str, LazyText] = {
    "product": _.lazy("Badges on product pages"),
    "cart": _.lazy("Badges in the cart"),
    "checkout": _.lazy("Badges at checkout"),
    "footer": _.lazy("Badges in the footer"),
}

DEFAULTS: Mapping[str, tuple[str, ...]] = {
    "product": ("secure_checkout", "payment_methods", "cash_on_delivery", "free_shipping",
                "returns", "rating"),
    "cart": ("secure_checkout", "payment_methods", "cash_on_delivery", "free_shipping",
             "returns"),
    "checkout": ("secure_checkout", "payment_methods", "cash_on_delivery", "returns",
                 "contact"),
    "footer": ("payment_methods", "returns", "rating"),
}

RETURNS_WORDING = (("returns", _.lazy("Easy returns")),
                   ("money_back", _.lazy("Money-back guarantee")))


def placement_field(placement: str) -> str:
    """The settings field that holds the badges chosen for ``placement``."""
    return f"show_{placement}"


def _check(values: Mapping[str, Any]) -> dict[str, str]:
    return {placement_field(p): _("Choose “None” on its own, or untick it.")
            for p in BADGE_PLACEMENTS
            if NONE in (values.get(placement_field(p)) or ()) and
            len(values.get(placement_field(p)) or ()) > 1}


PLACEMENT_HELP = _.lazy("A badge whose fact is not true for your store is not shown, even "
                        "if ticked. Leaving every box unticked gives the default choice; "
                        "tick “None” for no badges.")

manifest = PluginManifest(
    name="trust-badges",
    title=_.lazy("Trust badges"),
    description=_.lazy("Badges for secure checkout, ways to pay, delivery, returns and "
                       "contact, shown only when they are true."),
    settings=(
        *(MultiChoiceField(placement_field(p), PLACEMENT_LABELS.get(p, p.title()),
                           choices=CHOICES, default=DEFAULTS.get(p, ()), help=PLACEMENT_HELP)
          for p in BADGE_PLACEMENTS),
        NumberField("returns_days", _.lazy("Days to return an order"), integer=True,
                    min_value=0, max_value=365, default=0,
                    help=_.lazy("0 shows no returns badge.")),
        ChoiceField("returns_wording", _.lazy("Returns badge says"), choices=RETURNS_WORDING,
                    default="returns"),
        TextField("returns_page", _.lazy("Returns policy page"), default="returns",
                  max_length=120,
                  help=_.lazy("The handle of your page at /pages/<handle>. The badge links "
                              "to it only while that page is published.")),
        BoolField("map_link", _.lazy("Link the address to a map"), default=True,
                  help=_.lazy("An OpenStreetMap link next to your address. Nothing is "
                              "loaded until a shopper follows it.")),
    ),
    validate_settings=_check,
)


# --------------------------------------------------------------------- the badges


def secure_checkout(facts: StoreFacts) -> list[Badge]:
    if not facts.page.is_secure:
        return []
    return [Badge("secure_checkout", text(facts.locale, "secure_checkout"),
                  description=text(facts.locale, "secure_checkout_detail"), icon="lock")]


def ways_to_pay(facts: StoreFacts) -> list[Badge]:
    names = facts.ways_to_pay()
    if not names:
        return []
    methods = text(facts.locale, "list_separator").join(names)
    return [Badge("payment_methods", text(facts.locale, "ways_to_pay", methods=methods),
                  icon="wallet")]


def cash_on_delivery(facts: StoreFacts) -> list[Badge]:
    if not facts.offers_cash_on_delivery:
        return []
    return [Badge("cash_on_delivery", text(facts.locale, "cash_on_delivery"),
                  description=text(facts.locale, "cash_on_delivery_detail"), icon="cash")]


def free_shipping(facts: StoreFacts) -> list[Badge]:
    threshold = facts.free_shipping_over
    return [free_shipping_badge(threshold, facts.locale)] if threshold is not None else []


def free_shipping_badge(threshold: Money, locale: str) -> Badge:
    """The free-shipping badge for a known threshold (amount written plainly)."""
    amount = f"{threshold.to_decimal():f} {threshold.currency}"
    return Badge("free_shipping", text(locale, "free_shipping", amount=amount), icon="truck")


def returns(facts: StoreFacts) -> list[Badge]:
    days = facts.returns_days
    if not days:
        return []
    wording = "money_back" if facts.settings.get("returns_wording") == "money_back" \
        else "returns"
    return [Badge("returns", text(facts.locale, wording, days=days),
                  icon="shield" if wording == "money_back" else "return",
                  url=facts.returns_page_url)]


def rating(facts: StoreFacts) -> list[Badge]:
    known = facts.rating
    badge = (rating_badge(*known, facts.locale,
                          number=lambda n: format_number(facts.store, n, facts.locale))
             if known is not None else None)
    return [badge] if badge is not None else []


def rating_badge(average: Decimal, count: int, locale: str,
                 number: Callable[[int | Decimal], str] = str) -> Badge | None:
    """The rating badge for a known average over ``count`` reviews (none without any);
    ``number`` writes its figures (the store's digits: ``format_number``)."""
    if count <= 0:
        return None
    shown = number(Decimal(average).quantize(Decimal("0.1"), ROUND_HALF_UP))
    detail = text(locale, "rating_detail_one" if count == 1 else "rating_detail_other",
                  count=number(count))
    return Badge("rating", text(locale, "rating", rating=shown, best=number(5)),
                 description=detail,
                 icon="star")


def contact(facts: StoreFacts) -> list[Badge]:
    found = []
    if facts.phone:
        found.append(Badge("contact_phone", text(facts.locale, "phone", phone=facts.phone),
                           icon="phone", url=facts.phone_href))
    if facts.address:
        found.append(Badge("contact_address",
                           text(facts.locale, "address", address=facts.address),
                           icon="map-pin"))
        if facts.settings.get("map_link") and facts.map_url:
            found.append(Badge("contact_map", text(facts.locale, "map"),
                               description=text(facts.locale, "map_detail"),
                               url=facts.map_url))
    return found


BUILDERS: Mapping[str, Callable[[StoreFacts], list[Badge]]] = {
    "secure_checkout": secure_checkout,
    "payment_methods": ways_to_pay,
    "cash_on_delivery": cash_on_delivery,
    "free_shipping": free_shipping,
    "returns": returns,
    "rating": rating,
    "contact": contact,
}


@hookimpl
def haat_trust_badges(store: StoreInfo, placement: str, page: PageContext) -> list[Badge]:
    """The badges the merchant chose for ``placement`` whose facts hold for this store."""
    settings = store.plugin_settings(manifest.name)
    chosen = list(settings.get(placement_field(placement)) or ())
    if NONE in chosen:
        return []
    facts = StoreFacts(store, page, settings)
    found: list[Badge] = []
    for key in chosen:
        builder = BUILDERS.get(key)
        if builder is not None:
            found.extend(builder(facts))
    return found
