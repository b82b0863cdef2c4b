"""Coupon codes for tests, held to the rules of the admin's discount form
(``core.admin.discounts``): what a merchant could not save, a test cannot make either."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from core.admin.discounts import CODE_CHARACTERS, MAX_CODE, MIN_CODE
from core.discounts.models import KIND_FIXED, KIND_FREE_SHIPPING, KIND_PERCENTAGE


def moment(value: date | datetime | None) -> datetime | None:
    """A day means 00:00 UTC of that day (as the admin stores it); a naive datetime is
    taken as UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _basis_points(percent: float | Decimal | str) -> int | None:
    try:
        number = Decimal(str(percent))
    except InvalidOperation:
        return None
    if not number.is_finite() or not Decimal("0.01") <= number <= 100 \
            or number != number.quantize(Decimal("0.01")):
        return None
    return int(number * 100)


def coupon_values(code: str, *, percent: float | Decimal | str | None, amount: int | None,
                  free_delivery: bool, min_subtotal: int | None, usage_limit: int | None,
                  per_customer_limit: int | None, starts: date | datetime | None,
                  ends: date | datetime | None, active: bool) -> dict[str, object]:
    """The ``Discount`` columns, or ``AssertionError`` listing each rule broken."""
    __tracebackhide__ = True
    problems: list[str] = []
    normalised = code.strip().upper()
    if not (MIN_CODE <= len(normalised) <= MAX_CODE and set(normalised) <= CODE_CHARACTERS):
        problems.append(f"code: {code!r} must be {MIN_CODE} to {MAX_CODE} characters of "
                        "A-Z, 0-9, '-' and '_'")
    kinds = [kind for kind, given in ((KIND_PERCENTAGE, percent is not None),
                                      (KIND_FIXED, amount is not None),
                                      (KIND_FREE_SHIPPING, free_delivery)) if given]
    kind, value = (kinds[0] if kinds else ""), 0
    if len(kinds) != 1:
        problems.append("give exactly one of percent=, amount= or free_delivery=True")
    elif kind == KIND_PERCENTAGE:
        points = _basis_points(percent) if percent is not None else None
        if points is None:
            problems.append(f"percent: {percent!r} must be 0.01 to 100, at most 2 decimals")
        value = points or 0
    elif kind == KIND_FIXED:
        if not isinstance(amount, int) or amount <= 0:
            problems.append(f"amount: {amount!r} must be a whole number of minor units above 0")
        value = amount or 0
    limits = {"min_subtotal": min_subtotal, "usage_limit": usage_limit,
              "per_customer_limit": per_customer_limit}
    for name, number in limits.items():
        if number is not None and (not isinstance(number, int) or number < 1):
            problems.append(f"{name}: {number!r} must be a whole number of 1 or more, or None")
    starts_at, ends_at = moment(starts), moment(ends)
    if starts_at and ends_at and ends_at <= starts_at:
        problems.append("ends: must be after starts")
    if problems:
        raise AssertionError(f"the admin would refuse the coupon {code!r}:\n  "
                             + "\n  ".join(problems))
    return {"code": normalised, "kind": kind, "value": value, "active": active,
            "starts_at": starts_at, "ends_at": ends_at, **limits}
