"""Demo catalogues for the three demo stores, in the order they are seeded."""

from core.demo.catalogues.corner_store import STORE as CORNER_STORE
from core.demo.catalogues.dhaka_crafts import STORE as DHAKA_CRAFTS
from core.demo.catalogues.yerevan_books import STORE as YEREVAN_BOOKS
from core.demo.spec import DemoStore

DEMO_STORES: tuple[DemoStore, ...] = (DHAKA_CRAFTS, YEREVAN_BOOKS, CORNER_STORE)

__all__ = ["DEMO_STORES"]
