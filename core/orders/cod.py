"""Cash on delivery: what couriers collected and paid out, set against the orders.

A courier plugin reports each parcel's cash with ``core.sdk.record_cod_collections``
(from the courier's payout API, a payout webhook, or a statement the merchant
uploads). One row per parcel is kept in ``cod_collections``; the latest report
replaces it. When a report says the cash of a parcel was paid out to the merchant and
covers the order's total, the order is marked paid (the money has truly arrived).

:func:`cod_report` is the admin's "outstanding per courier" report, and
:func:`delivery_risk` the order page's warning about a phone number whose parcels
keep coming back. Messages here are English for the timeline; the admin words what
the merchant reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from core.clock import aware
from core.customers.service import normalise_phone, phone_digits_sql
from core.db import db, utcnow
from core.orders import service, states
from core.orders.models import CodCollection as CollectionRow
from core.orders.models import Order, OrderEvent
from core.orders.timeline import timeline_text
from core.sdk import CodCollection, DeliveryRecord, StoreInfo
from tenants import tenant_scope

#: The id of Haat's cash-on-delivery gateway (``plugins/cash_on_delivery``).
COD_METHOD = "cod"
#: A delivered parcel whose cash the courier has not reported after this long is flagged.
REPORT_GRACE = timedelta(days=3)
#: Cash reported as collected but not paid out after this long (from delivery) is flagged.
PAYOUT_GRACE = timedelta(days=7)
#: How many parcels needing attention the report lists (oldest first).
PROBLEM_LIMIT = 200
#: How often a report is tried again when another report of the same parcel was
#: committed between reading and writing it.
ATTEMPTS = 3


# ------------------------------------------------------------------ recording


def _checked(store: StoreInfo, collections: Sequence[CodCollection]) -> dict[str, CodCollection]:
    """The reports by tracking number (the last one of a number wins), all checked
    before anything is written."""
    if isinstance(collections, CodCollection | str | bytes):
        raise TypeError("collections must be a sequence of core.sdk.CodCollection")
    by_number: dict[str, CodCollection] = {}
    for report in collections:
        if not isinstance(report, CodCollection):
            raise TypeError(f"expected core.sdk.CodCollection, got {type(report).__name__}")
        for amount in (report.collected, report.charge):
            if amount.currency != store.currency:
                raise ValueError(f"CodCollection amounts must be in the store's currency "
                                 f"({store.currency}), not {amount.currency}")
        number = report.tracking_number.strip()
        if number:
            by_number[number] = report
    return by_number


def _values(report: CodCollection) -> dict[str, object]:
    return {"collected": report.collected.amount, "charge": report.charge.amount,
            "payout_reference": report.payout_reference.strip()[:100],
            "paid_at": aware(report.paid_at) if report.paid_at else None}


def _same(row: CollectionRow, values: dict[str, object]) -> bool:
    return all((aware(row.paid_at) if key == "paid_at" and row.paid_at else
                getattr(row, key)) == value for key, value in values.items())


def _write(carrier_id: str,
           by_number: dict[str, CodCollection]) -> tuple[int, list[tuple[Order, bool]]]:
    """Insert or update the rows of the store's parcels, in tracking-number order (two
    concurrent reports then take the same locks in the same order). Returns how many
    rows changed, and each changed order with a payout, with whether the payout is new.
    A payout, once reported, is never taken back by a later report without one. Raises
    IntegrityError when a concurrent report inserted a row meanwhile."""
    numbers = sorted(by_number)
    orders: dict[str, Order] = {}
    for order in db.session.scalars(  # the newest order wins a number used twice
            select(Order).where(Order.carrier_id == carrier_id,
                                Order.tracking_number.in_(numbers)).order_by(Order.id)):
        orders[order.tracking_number] = order
    rows = {row.tracking_number: row for row in db.session.scalars(
        select(CollectionRow).where(CollectionRow.carrier_id == carrier_id,
                                    CollectionRow.tracking_number.in_(numbers)))}
    paid_out: list[tuple[Order, bool]] = []
    changed = 0
    for number in numbers:
        order = orders.get(number)
        if order is None:  # not this store's parcel, or one Haat never shipped
            continue
        values = _values(by_number[number])
        row = rows.get(number)
        if row is not None and row.payout_reference and not values["payout_reference"]:
            # A late "collected" report after the payout: the payout stands.
            values["payout_reference"] = row.payout_reference
            values["paid_at"] = aware(row.paid_at) if row.paid_at else None
        if row is not None and _same(row, values):
            continue
        newly_paid = bool(values["payout_reference"]) and not (row and row.payout_reference)
        if row is None:
            row = CollectionRow(order_id=order.id, carrier_id=carrier_id,
                                tracking_number=number)
            db.session.add(row)
        for key, value in values.items():
            setattr(row, key, value)
        row.reported_at = utcnow()
        changed += 1
        if row.payout_reference:
            paid_out.append((order, newly_paid))
    db.session.flush()
    return changed, paid_out


def _settle(order: Order, carrier_id: str, collected: int, reference: str,
            newly_paid: bool) -> None:
    """The courier paid out the cash of a delivered cash-on-delivery order: note a new
    payout, and mark the order paid when the cash covers its total and the order still
    waits for payment (also when a short payout is corrected later)."""
    if order.payment_method != COD_METHOD or order.fulfilment_state != states.DELIVERED:
        return  # a prepaid parcel, or one that came back: its cash is not the order's
    actor = f"plugin:{carrier_id}"
    if newly_paid:
        service.record(order, "cod_payout", timeline_text(
            "%(carrier)s paid out the cash of this parcel (payout %(reference)s).",
            carrier=order.carrier or carrier_id, reference=reference), actor)
    if order.payment_state == states.PENDING and collected >= order.total:
        service.mark_paid(order, actor)


def record_collections(store: StoreInfo, carrier_id: str,
                       collections: Sequence[CodCollection]) -> int:
    """Keep a courier's reports of its parcels' cash (see
    ``core.sdk.record_cod_collections``); how many parcels were recorded or changed.
    Commits; the hooks of orders marked paid fire after the commit. When a concurrent
    report wins a race the work is rolled back and done again (the caller's own
    pending changes go with the rollback)."""
    carrier_id = carrier_id.strip()
    by_number = _checked(store, collections)
    if not carrier_id or not by_number:
        return 0
    with tenant_scope(store.id):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                changed, paid_out = _write(carrier_id, by_number)
                for order, newly_paid in sorted(paid_out, key=lambda pair: pair[0].id):
                    report = by_number[order.tracking_number]
                    if order.payment_method == COD_METHOD:
                        service.hold(order)
                    _settle(order, carrier_id, report.collected.amount,
                            report.payout_reference.strip() or "-", newly_paid)
                db.session.flush()
            except (IntegrityError, service.OrderChanged):
                db.session.rollback()
                if attempt == ATTEMPTS:
                    raise
                continue
            db.session.commit()
            return changed
    return 0


# ------------------------------------------------------------------ the report


@dataclass
class CourierCash:
    """One courier's cash-on-delivery account with the store."""

    #: ``ShippingCarrier.id``, or ``""`` for parcels the merchant shipped by hand.
    carrier_id: str
    #: The courier's name as the orders keep it.
    name: str
    #: Parcels on the way: how many, and the cash they should bring.
    in_transit: int = 0
    in_transit_amount: int = 0
    #: Parcels delivered: how many, and what the orders say the shoppers pay.
    delivered: int = 0
    expected: int = 0
    #: What the courier reported collecting, keeping and paying out.
    collected: int = 0
    charges: int = 0
    paid_out: int = 0
    #: What the courier still owes the merchant: the cash reported and not paid out
    #: (less its charges), plus the full total of delivered parcels it has not reported;
    #: orders the merchant marked paid owe nothing.
    outstanding: int = 0


@dataclass(frozen=True)
class CashProblem:
    """A delivered cash-on-delivery parcel that needs the merchant's attention."""

    order_id: int
    number: int
    courier: str
    #: ``"not_reported"``, ``"short"`` (collected less than the order's total) or
    #: ``"payout_missing"``.
    kind: str
    #: The amount in question, in minor units: the total not reported, the shortfall,
    #: or the cash not paid out.
    amount: int
    delivered_at: datetime | None


@dataclass
class CodReport:
    """The store's cash-on-delivery accounts, one per courier, and the parcels to check."""

    currency: str
    couriers: list[CourierCash] = field(default_factory=list)
    problems: list[CashProblem] = field(default_factory=list)

    def total(self, name: str) -> int:
        """The sum of one column (``"outstanding"``, ``"paid_out"``, ...) over couriers,
        in minor units."""
        return sum(getattr(courier, name) for courier in self.couriers)


def _delivered_at():
    """When each order was delivered: its last "delivered" timeline entry."""
    return (select(OrderEvent.order_id, func.max(OrderEvent.created_at).label("at"))
            .where(OrderEvent.kind == states.DELIVERED)
            .group_by(OrderEvent.order_id).subquery())


def cod_report(store: StoreInfo, *, now: datetime | None = None) -> CodReport:
    """The current store's cash on delivery per courier (two queries, whatever the
    number of orders): shipped and delivered cash-on-delivery orders set against what
    each courier reported."""
    now = now or utcnow()
    delivered_at = _delivered_at()
    rows = db.session.execute(
        select(Order.id, Order.number, Order.carrier_id, Order.carrier,
               Order.fulfilment_state, Order.payment_state, Order.total,
               CollectionRow.collected,
               CollectionRow.charge, CollectionRow.payout_reference, delivered_at.c.at)
        .outerjoin(CollectionRow, (CollectionRow.order_id == Order.id)
                   & (CollectionRow.carrier_id == Order.carrier_id)
                   & (CollectionRow.tracking_number == Order.tracking_number))
        .outerjoin(delivered_at, delivered_at.c.order_id == Order.id)
        .where(Order.payment_method == COD_METHOD,
               Order.fulfilment_state.in_((states.SHIPPED, states.DELIVERED)))
        .order_by(Order.id)).all()
    report = CodReport(store.currency)
    accounts: dict[tuple[str, str], CourierCash] = {}
    for row in rows:
        name = row.carrier or row.carrier_id
        key = (row.carrier_id, "" if row.carrier_id else name.casefold())
        account = accounts.get(key)
        if account is None:
            account = accounts[key] = CourierCash(row.carrier_id, name)
        if row.fulfilment_state == states.SHIPPED:
            account.in_transit += 1
            account.in_transit_amount += row.total
            continue
        _count_delivered(account, row, report, now)
    report.couriers = sorted(accounts.values(), key=lambda a: (-a.outstanding, a.name))
    report.problems.sort(key=lambda p: (p.delivered_at is None, p.delivered_at or now))
    del report.problems[PROBLEM_LIMIT:]
    return report


def _count_delivered(account: CourierCash, row, report: CodReport, now: datetime) -> None:
    account.delivered += 1
    account.expected += row.total
    when = aware(row.at) if row.at is not None else None
    age = now - when if when is not None else timedelta(0)

    def problem(kind: str, amount: int) -> None:
        report.problems.append(CashProblem(row.id, row.number, account.name, kind, amount,
                                           when))

    # The merchant marked it paid (the courier paid in cash, say): nothing is owed.
    settled_by_hand = row.payment_state in states.MONEY_RECEIVED
    if row.collected is None:  # the courier has not reported this parcel's cash
        if settled_by_hand:
            account.paid_out += row.total
            return
        account.outstanding += row.total
        # Only a courier plugin can report; a parcel shipped by hand never will.
        if row.carrier_id and age > REPORT_GRACE:
            problem("not_reported", row.total)
        return
    account.collected += row.collected
    account.charges += row.charge
    due = max(row.collected - row.charge, 0)
    if row.collected < row.total and not settled_by_hand:
        problem("short", row.total - row.collected)
    if row.payout_reference or settled_by_hand:
        account.paid_out += due
    else:
        account.outstanding += due
        if age > PAYOUT_GRACE:
            problem("payout_missing", due)


# ------------------------------------------------------------------ risky orders


@dataclass(frozen=True)
class DeliveryRisk:
    """What is known about deliveries to an order's phone: the store's own parcels and
    each courier's record, and whether that makes the order risky."""

    phone: str
    #: The store's other orders to this phone that were delivered, and that came back.
    delivered: int
    returned: int
    records: tuple[tuple[str, DeliveryRecord], ...] = ()

    @property
    def risky(self) -> bool:
        """True when at least half of the store's parcels to this phone came back, or a
        courier saw at least three parcels to it and three in ten of them came back."""
        if self.returned and self.returned * 2 >= self.delivered + self.returned:
            return True
        return any(r.delivered + r.returned >= 3 and r.returned * 10 >= 3 * (r.delivered
                   + r.returned) for _plugin, r in self.records)


def _spellings(phone: str) -> set[str]:
    """The digit strings an order may keep for this phone (Bangladesh's numbers are
    typed both as 01XXXXXXXXX and +880 1XXXXXXXXX)."""
    digits = normalise_phone(phone)
    spellings = {digits} if digits else set()
    if digits.startswith("01") and len(digits) == 11:
        spellings.add("88" + digits)
    return spellings


def _own_record(phones: Iterable[str],
                exclude: int | None = None) -> dict[str, tuple[int, int]]:
    """The current store's delivered and returned orders per phone, by the phone's
    digits (:func:`normalise_phone`), however each order's phone was typed (one query)."""
    wanted = set().union(*(_spellings(phone) for phone in phones)) if phones else set()
    if not wanted:
        return {}
    digits = phone_digits_sql(Order.phone)
    query = (select(digits,
                    func.sum(case((Order.fulfilment_state == states.DELIVERED, 1), else_=0)),
                    func.sum(case((Order.fulfilment_state == states.RETURNED, 1), else_=0)))
             .where(digits.in_(sorted(wanted)),
                    Order.fulfilment_state.in_((states.DELIVERED, states.RETURNED)))
             .group_by(digits))
    if exclude is not None:
        query = query.where(Order.id != exclude)
    record: dict[str, tuple[int, int]] = {}
    for spelled, done, back in db.session.execute(query):
        key = normalise_phone(spelled)
        before = record.get(key, (0, 0))
        record[key] = (before[0] + int(done or 0), before[1] + int(back or 0))
    return record


def risky_phones(phones: Iterable[str]) -> set[str]:
    """The phones (as :func:`normalise_phone` writes them) among ``phones`` whose
    parcels from this store came back at least half the time: the orders list's flag
    (couriers' records are on each order's page)."""
    return {phone for phone, (done, back) in _own_record(list(phones)).items()
            if back and back * 2 >= done + back}


def delivery_risk(order: Order,
                  records: Sequence[tuple[str, DeliveryRecord]]) -> DeliveryRisk | None:
    """The delivery record of a cash-on-delivery order's phone, or ``None`` for an order
    paid another way or without a phone."""
    phone = normalise_phone(order.phone)
    if order.payment_method != COD_METHOD or not phone:
        return None
    done, back = _own_record([order.phone], exclude=order.id).get(phone, (0, 0))
    kept = tuple((plugin, record) for plugin, record in records
                 if isinstance(record, DeliveryRecord))
    return DeliveryRisk(phone, done, back, kept)
