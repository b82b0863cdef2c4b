"""A cash-on-delivery fee for each delivery zone: ৳0 inside Dhaka, ৳20 outside.

The store's zones are read when the form is drawn (``core.sdk.shipping_zones``), so the
merchant fills in an amount next to each zone's name; what is stored is
``{zone id: amount in minor units}``. A zone left empty has no fee.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from markupsafe import Markup

from core.sdk import FieldError, Money, WidgetContext, WidgetField, ascii_digits, shipping_zones

from .texts import _

_BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
#: The most zones a post is read for.
MAX_ZONES = 100


def _amount(text: str, currency: str) -> int | None:
    """Minor units from what was typed (``"২০"``, ``"20.50"``); ``None`` for nothing."""
    text = ascii_digits(text.strip()).replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or value < 0:
        raise ValueError(text)
    return Money.from_decimal(value, currency).amount


@dataclass(frozen=True)
class ZoneFeesField(WidgetField):
    """An amount per shipping zone; the value is ``{zone id: minor units}``."""

    default: Any = None

    def empty_value(self) -> Any:
        return {}

    def to_form(self, value: Any, *, currency: str = "USD") -> Any:
        if not isinstance(value, Mapping):
            return {}
        return {zone: str(Money(int(amount), currency).to_decimal())
                for zone, amount in value.items() if isinstance(amount, int)}

    def read_form(self, form: Any) -> Any:
        prefix = f"{self.name}-"
        typed = {key[len(prefix):]: str(form.get(key, "")) for key in list(form.keys())
                 if key.startswith(prefix)}
        return dict(list(typed.items())[:MAX_ZONES]) if typed else None

    def _parse(self, raw: Any, *, currency: str) -> Any:
        if not isinstance(raw, Mapping):
            return {}
        fees: dict[str, int] = {}
        for zone, text in raw.items():
            try:
                amount = _amount(str(text), currency)
            except ValueError:
                raise FieldError(_("“%(amount)s” is not an amount: write a number such as 20, "
                                   "or leave the zone empty for no fee.", amount=text)) from None
            if amount:
                fees[str(zone).strip().lower()[:100]] = amount
        return fees

    def render(self, context: WidgetContext) -> str:
        store = context.store
        typed = context.value if isinstance(context.value, Mapping) else {}
        zones = [(zone.id, zone.name) for zone in shipping_zones(store)]
        known = {zone_id for zone_id, _name in zones}
        zones += [(zone_id, zone_id) for zone_id in typed if zone_id not in known]

        def gettext(message: str, **variables: Any) -> str:
            return _.gettext(message, locale=context.locale, **variables)

        if not zones:
            return str(Markup('<p class="notice">{}</p>').format(
                gettext("Your store has no delivery zones yet: set them up on the Shipping "
                        "page first.")))
        rows = []
        for index, (zone_id, name) in enumerate(zones):
            value = str(typed.get(zone_id, ""))
            if store.bengali_digits:
                value = value.translate(_BENGALI_DIGITS)
            input_id = context.id if index == 0 else f"{context.id}-{index}"
            shown = name if zone_id in known else gettext(
                "%(zone)s (no longer a delivery zone: empty it)", zone=name)
            rows.append(Markup(
                '<div class="field"><label for="{id}">{label}</label><div class="input-row">'
                '<input type="text" inputmode="decimal" id="{id}" name="{name}" '
                'value="{value}"{described}><span class="affix">{currency}</span></div></div>'
            ).format(id=input_id, label=shown, name=f"{self.name}-{zone_id}", value=value,
                     currency=store.currency,
                     described=Markup(' aria-describedby="{}"').format(context.describedby)
                     if context.describedby else ""))
        return str(Markup('<div class="zone-fees">{}</div>').format(Markup("").join(rows)))
