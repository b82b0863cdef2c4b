"""Phone numbers as shoppers type them (any spacing, +880 or 0, Bengali digits) to
the E.164 form gateways take, with Google's libphonenumber rules."""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

#: Number types that can receive SMS (where a country does not tell mobiles from fixed
#: lines, libphonenumber says FIXED_LINE_OR_MOBILE).
_CAN_TEXT = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def to_e164(phone: str, country: str = "") -> str | None:
    """``phone`` as ``+<country code><number>``, or ``None`` when it is not a mobile
    number (a landline, too short, not a number at all).

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
    if phonenumbers.number_type(number) not in _CAN_TEXT:
        return None  # a landline (02-9123456 in Dhaka) gets no SMS
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
