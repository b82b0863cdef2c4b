"""Whether a coupon code applies to a checkout, and what it takes off.

A code that does not apply gets one message, whether it is unknown or real but not
usable now (inactive, not started, expired, used up, minimum not met, used already):
otherwise a guesser learns which codes exist (issue 21). That message names the usual
reasons, so a shopper with a real code knows what to check. Only a shopper to whom the
code has already applied in this cart (``explain=True``) is told the exact reason, for
example "Spend at least ৳1,000.00" after taking items out: they know the code is real.
Usage limits are checked here for the message and enforced again, atomically, when
the order is placed (:func:`claim_use`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from core.customers.models import Customer
from core.db import db, utcnow
from core.discounts.models import KIND_FIXED, KIND_FREE_SHIPPING, KIND_PERCENTAGE, Discount
from core.money import Money

MAX_CODE_LENGTH = 40


@dataclass(frozen=True)
class CouponDecision:
    """The outcome for a typed code: ``discount`` set when it applies, else ``reason``."""

    code: str
    discount: Discount | None = None
    reason: str = ""
    #: Taken off the goods (0 for free shipping, which zeroes the shipping instead).
    amount: int = 0

    @property
    def applies(self) -> bool:
        return self.discount is not None

    @property
    def free_shipping(self) -> bool:
        return self.discount is not None and self.discount.kind == KIND_FREE_SHIPPING


def normalise_code(raw: object) -> str:
    """What the shopper typed, as stored: trimmed and upper case."""
    return raw.strip().upper()[:MAX_CODE_LENGTH + 1] if isinstance(raw, str) else ""


def customer_uses(discount_id: int, customer_key: str) -> int:
    """Orders of the customer ``customer_key`` that used the discount (not cancelled)."""
    from core.orders.models import Order  # orders build on discounts, not the reverse

    if not customer_key:
        return 0
    return int(db.session.scalar(
        select(func.count(Order.id)).join(Customer, Customer.id == Order.customer_id)
        .where(Order.discount_id == discount_id, Customer.key == customer_key,
               Order.fulfilment_state != "cancelled")) or 0)


def not_usable(code: str) -> str:
    """The one message for a code that does not apply, known or not."""
    return _("The code %(code)s cannot be used on this order. Check how it is written, "
             "when it is valid, whether it needs a minimum spend and whether you have "
             "used it already.", code=code)


def evaluate(raw_code: object, subtotal: Money, customer_key: str,
             money_text: Callable[[Money], str], date_text: Callable[[datetime], str],
             now: datetime | None = None, explain: bool = False) -> CouponDecision | None:
    """Decide on a typed code; ``None`` when none was typed. A refusal names its exact
    reason only with ``explain`` (the code already applied for this shopper)."""
    code = normalise_code(raw_code)
    if not code:
        return None
    discount = None
    if len(code) <= MAX_CODE_LENGTH:
        discount = db.session.scalar(select(Discount).where(Discount.code == code))
    if discount is None:
        return CouponDecision(code, reason=not_usable(code))
    now = now or utcnow()
    refusal = _refusal(discount, subtotal, customer_key, money_text, date_text, now)
    if refusal:
        return CouponDecision(code, reason=refusal if explain else not_usable(code))
    return CouponDecision(code, discount=discount, amount=_amount(discount, subtotal))


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _refusal(discount: Discount, subtotal: Money, customer_key: str,
             money_text: Callable[[Money], str], date_text: Callable[[datetime], str],
             now: datetime) -> str:
    if not discount.active:
        return _("The code %(code)s is not active.", code=discount.code)
    if discount.starts_at and _aware(discount.starts_at) > now:
        return _("The code %(code)s starts on %(date)s.", code=discount.code,
                 date=date_text(_aware(discount.starts_at)))
    if discount.ends_at and _aware(discount.ends_at) <= now:
        return _("The code %(code)s has expired.", code=discount.code)
    if discount.min_subtotal and subtotal.amount < discount.min_subtotal:
        return _("Spend at least %(amount)s to use the code %(code)s.", code=discount.code,
                 amount=money_text(Money(discount.min_subtotal, subtotal.currency)))
    if discount.usage_limit is not None and discount.used_count >= discount.usage_limit:
        return _("The code %(code)s has been used up.", code=discount.code)
    if (discount.per_customer_limit is not None
            and customer_uses(discount.id, customer_key) >= discount.per_customer_limit):
        return _("You have already used the code %(code)s.", code=discount.code)
    return ""


def _amount(discount: Discount, subtotal: Money) -> int:
    if discount.kind == KIND_PERCENTAGE:
        return subtotal.percentage(Decimal(discount.value) / 100).amount
    if discount.kind == KIND_FIXED:
        return min(discount.value, subtotal.amount)
    return 0


def claim_use(discount_id: int) -> bool:
    """Count one use, unless the code is used up by now (a racing order took the
    last use). Part of the order's transaction."""
    claimed = db.session.execute(
        update(Discount).where(Discount.id == discount_id, Discount.active.is_(True),
                               or_(Discount.usage_limit.is_(None),
                                   Discount.used_count < Discount.usage_limit))
        .values(used_count=Discount.used_count + 1)
        .execution_options(synchronize_session=False))
    return claimed.rowcount == 1
