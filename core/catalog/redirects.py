"""Old handles keep working: renaming a product, collection or page records a redirect.

A ``before_flush`` listener notices a changed ``handle`` on any of the three and stores
``old -> new``; earlier redirects to the old handle are pointed at the new one, so a
chain of renames is one hop. The storefront answers an unknown handle with a 301 to
the current one (a live handle always wins over a redirect).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, UniqueConstraint, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import get_history

from core.catalog.models import Collection, Product
from core.db import db
from core.pages.models import Page
from tenants import TenantOwned

KINDS: dict[type, str] = {Product: "product", Collection: "collection", Page: "page"}


class HandleRedirect(TenantOwned, db.Model):
    """``/<kind>s/<old_handle>`` now lives at ``/<kind>s/<new_handle>``."""

    __tablename__ = "handle_redirects"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "old_handle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    old_handle: Mapped[str] = mapped_column(String(120))
    new_handle: Mapped[str] = mapped_column(String(120))


def current_handle(kind: str, handle: str) -> str | None:
    """Where an old ``handle`` of ``kind`` points now, or ``None``."""
    return db.session.scalar(select(HandleRedirect.new_handle).where(
        HandleRedirect.kind == kind, HandleRedirect.old_handle == handle))


def _record_renames(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty):
        kind = KINDS.get(type(obj))
        if kind is None:
            continue
        history = get_history(obj, "handle")
        if not history.deleted or not history.added:
            continue
        old, new = history.deleted[0], history.added[0]
        if old == new:
            continue
        # Earlier names now lead straight to the new one; the new name is live again.
        session.execute(update(HandleRedirect)
                        .where(HandleRedirect.kind == kind, HandleRedirect.new_handle == old)
                        .values(new_handle=new).execution_options(synchronize_session=False))
        for stale in session.scalars(select(HandleRedirect).where(
                HandleRedirect.kind == kind, HandleRedirect.old_handle.in_([old, new]))):
            session.delete(stale)
        session.add(HandleRedirect(tenant_id=obj.tenant_id, kind=kind, old_handle=old,
                                   new_handle=new))


_installed = False


def install() -> None:
    """Start recording renames (once per process)."""
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _record_renames)
        _installed = True
