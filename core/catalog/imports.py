"""A CSV product import: the uploaded file, how far the background job got, and its errors.

The web request only stores the file and queues the job; the job validates every row
first and writes nothing when any row is bad, then writes the catalogue in batches and
records its progress here, so the admin page and ``haat products import`` can show it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db, utcnow
from tenants import TenantOwned

IMPORT_QUEUED = "queued"
IMPORT_CHECKING = "checking"
IMPORT_WRITING = "writing"
IMPORT_DONE = "done"
IMPORT_REJECTED = "rejected"  # some rows are bad: nothing was written
IMPORT_FAILED = "failed"  # the job itself broke (its error is in ``errors``)
IMPORT_STATES = (IMPORT_QUEUED, IMPORT_CHECKING, IMPORT_WRITING, IMPORT_DONE,
                 IMPORT_REJECTED, IMPORT_FAILED)
FINISHED_STATES = frozenset({IMPORT_DONE, IMPORT_REJECTED, IMPORT_FAILED})


class ProductImport(TenantOwned, db.Model):
    """One CSV import of products into one store."""

    __tablename__ = "product_imports"
    __table_args__ = (Index(None, "tenant_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    #: Where the uploaded CSV is kept (``core.storage``), relative to the store's folder.
    storage_key: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default=IMPORT_QUEUED)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    #: ``[{"row": 7, "column": "Variant Price", "message": "..."}, ...]`` (capped).
    errors: Mapped[list] = mapped_column(JSON, default=list)
    #: Email of the staff member who started it, or ``"cli"``.
    started_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATES
