"""The seam for courier companies (Pathao, Steadfast, RedX, HayPost, ...).

Today a delivery option knows its courier only by a public tracking page (a ``track:``
line). A courier integration will implement :class:`Courier` (booking a parcel through
the courier's API, turning a tracking number into a link) and be attached to delivery
options the same way; ``ZoneCarrier`` asks the courier of an order's option for its
tracking link and to book its parcel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import quote

from core.sdk import OrderSnapshot, Shipment, StoreInfo


@runtime_checkable
class Courier(Protocol):
    """A courier company behind one or more delivery options."""

    id: str
    #: The courier's name as the merchant and the shopper read it ("Pathao"); ``""``
    #: when it is not known.
    name: str
    #: True when :meth:`create_shipment` books parcels through the courier's API.
    books_shipments: bool

    def tracking_url(self, tracking_number: str) -> str | None:
        """The public page where the shopper follows this parcel, if there is one."""
        ...

    def create_shipment(self, store: StoreInfo, order: OrderSnapshot) -> Shipment | None:
        """Book the parcel with the courier; ``None`` when it is booked by hand."""
        ...


@dataclass(frozen=True)
class TrackingPage:
    """A courier known only by its tracking page, e.g.
    ``https://steadfast.com.bd/t/{number}``: parcels are booked by hand."""

    template: str
    id: str = "tracking-page"
    books_shipments: bool = False
    #: The label of the delivery option the page belongs to ("Pathao: 120"), taken as
    #: the courier's name. Two options with the same page are one courier.
    name: str = field(default="", compare=False)

    def tracking_url(self, tracking_number: str) -> str | None:
        number = tracking_number.strip()
        if not number:
            return None
        return self.template.replace("{number}", quote(number, safe=""))

    def create_shipment(self, store: StoreInfo, order: OrderSnapshot) -> Shipment | None:
        return None
