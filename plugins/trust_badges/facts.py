"""The facts behind the badges, read from the store, never typed by the merchant.

Each fact is looked up only when a chosen badge needs it, and a fact of the whole store
(the ways to pay, the returns page, the rating) at most once until the store's content
or plugins change (``store_fact``), not once per placement and page. A fact that cannot
be known (no store-wide free-shipping amount, no reviews) is ``None``, and the badge
that would state it is not shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from functools import cached_property
from typing import Any
from urllib.parse import quote, urlencode

from core.sdk import (
    Money,
    PageContext,
    StoreInfo,
    iter_pages,
    payment_methods,
    store_fact,
    store_rating,
)

from .texts import text

#: Gateway ``method`` values the SDK names, in the order shoppers read them.
METHODS = ("card", "mobile_wallet", "bank_transfer", "cash_on_delivery")
MAP_SEARCH = "https://www.openstreetmap.org/search"
#: The manifest's name (``plugin.manifest`` imports this module).
PLUGIN = "trust-badges"
_NOT_DIAL = re.compile(r"[^0-9+]")


def page_handle(value: str) -> str:
    """A page handle as typed by the merchant: ``returns``, ``/pages/returns`` or a URL
    on the store all mean ``returns``."""
    handle = (value or "").strip().strip("/")
    if "/pages/" in f"/{handle}":
        handle = f"/{handle}".rsplit("/pages/", 1)[1]
    return handle.strip("/").lower()


class StoreFacts:
    """What is true of one store right now, for one badge placement on one page."""

    def __init__(self, store: StoreInfo, page: PageContext,
                 settings: Mapping[str, Any]) -> None:
        self.store = store
        self.page = page
        self.settings = settings
        self.locale = page.locale

    # ------------------------------------------------------------------- payment

    @cached_property
    def _payment(self) -> tuple[tuple[str, ...], bool]:
        """The ways to pay, named in the page's language, and whether cash on delivery
        is one: the same for every page of the store until its plugins change, so
        read from the payment plugins once (``store_fact``), not per placement."""
        return store_fact(self.store, PLUGIN, f"payment:{self.locale}", self._read_payment)

    def _read_payment(self) -> tuple[tuple[str, ...], bool]:
        # A failing payment plugin offers none.
        gateways = list(payment_methods(self.store))
        return (tuple(self._names(gateways)),
                any(_method(g) == "cash_on_delivery" for g in gateways))

    @property
    def offers_cash_on_delivery(self) -> bool:
        return self._payment[1]

    def ways_to_pay(self) -> list[str]:
        """Shopper-facing names of the ways to pay, each once: known methods by their
        name in the page's language (wallets by brand, e.g. bKash, Nagad), others by
        the gateway's own brand or label."""
        return list(self._payment[0])

    def _names(self, gateways: list[Any]) -> list[str]:
        names: list[str] = []
        seen: set[str] = set()
        for gateway in sorted(gateways, key=_method_rank):
            name = self._method_name(gateway)
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
        return names

    def _method_name(self, gateway: Any) -> str:
        method = _method(gateway)
        brand = _text_attr(gateway, "brand")
        if method == "mobile_wallet":
            return brand or text(self.locale, "method_mobile_wallet")
        if method in METHODS:
            return text(self.locale, f"method_{method}")
        return brand or _text_attr(gateway, "label")

    # ---------------------------------------------------------------- shipping

    @property
    def free_shipping_over(self) -> Money | None:
        """The order value above which shipping is free, or ``None`` when unknown.

        The shipping plugin's "free over" amounts belong to its zones (each zone may
        have its own or none), and ``core.sdk`` offers no store-wide free-shipping
        threshold to read, so this is unknown for now and the free-shipping badge is
        never shown. It must never be typed by the merchant.
        """
        return None

    # ------------------------------------------------------------------ reviews

    @property
    def rating(self) -> tuple[Decimal, int] | None:
        """The store's average review rating and number of reviews, or ``None`` when no
        product has a review shoppers can see (then the rating badge is not shown).

        It is what rating plugins such as ``reviews`` published
        (:func:`core.sdk.store_rating`), so it is only ever a real figure.
        """
        summary = store_rating(self.store)
        return (summary.average, summary.count) if summary is not None else None

    # ------------------------------------------------------------------ returns

    @property
    def returns_days(self) -> int:
        days = self.settings.get("returns_days") or 0
        return int(days) if days > 0 else 0

    @property
    def returns_page_url(self) -> str | None:
        """``/pages/<handle>`` of the returns policy, only if that page is published
        (asked once until the store's content changes)."""
        handle = page_handle(self.settings.get("returns_page") or "")
        if not handle or not store_fact(self.store, PLUGIN, f"page:{handle}",
                                        lambda: self._published(handle)):
            return None
        return "/pages/" + quote(handle)

    def _published(self, handle: str) -> bool:
        return any(p.handle.lower() == handle for p in iter_pages(self.store))

    # ------------------------------------------------------------------ contact

    @property
    def phone(self) -> str:
        return " ".join(self.store.contact_phone.split())

    @property
    def phone_href(self) -> str | None:
        digits = _NOT_DIAL.sub("", self.phone)
        plus = "+" if digits.startswith("+") else ""
        digits = digits.replace("+", "")
        return f"tel:{plus}{digits}" if digits else None

    @property
    def address(self) -> str:
        """The store's address on one line."""
        lines = (" ".join(line.split()) for line in self.store.address.splitlines())
        return ", ".join(line for line in lines if line)

    @property
    def map_url(self) -> str | None:
        """An OpenStreetMap search for the address: a plain link, nothing is loaded."""
        if not self.address:
            return None
        return f"{MAP_SEARCH}?{urlencode({'query': self.address})}"


def _text_attr(gateway: Any, name: str) -> str:
    value = getattr(gateway, name, None)
    return value.strip() if isinstance(value, str) else ""


def _method(gateway: Any) -> str:
    method = _text_attr(gateway, "method")
    return method if method in METHODS else ""


def _method_rank(gateway: Any) -> int:
    method = _method(gateway)
    return METHODS.index(method) if method else len(METHODS)
