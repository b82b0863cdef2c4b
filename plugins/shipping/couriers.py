"""The seam for courier companies (Pathao, Steadfast, RedX, HayPost, ...).

Today a delivery option knows its courier only by a public tracking page (a ``track:``
line). A courier integration will implement :class:`Courier` (booking a parcel through
the courier's API, turning a tracking number into a link) and be attached to delivery
options the same way; ``ZoneCarrier`` already asks the option's courier for tracking
links and will ask it to book shipments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable
from urllib.parse import quote

from core.sdk import OrderSnapshot, Shipment, StoreInfo


@runtime_checkable
class Courier(Protocol):
    """A courier company behind one or more delivery options."""

    id: str

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

    def tracking_url(self, tracking_number: str) -> str | None:
        number = tracking_number.strip()
        if not number:
            return None
        return self.template.replace("{number}", quote(number, safe=""))

    def create_shipment(self, store: StoreInfo, order: OrderSnapshot) -> Shipment | None:
        return None
