"""Phone numbers as shoppers type them (any spacing, +880 or 0, Bengali digits) to
the E.164 form gateways take, with Google's libphonenumber rules."""

from __future__ import annotations

import phonenumbers


def to_e164(phone: str, country: str = "") -> str | None:
    """``phone`` as ``+<country code><number>``, or ``None`` when it is not a number
    that can receive messages.

    A number without ``+`` is read as a number of ``country`` (the store's ISO code);
    ``"০১৭১২-৩৪৫৬৭৮"``, ``"01712345678"`` and ``"+880 1712 345678"`` are all
    ``"+8801712345678"`` for a store in BD.
    """
    text = (phone or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
