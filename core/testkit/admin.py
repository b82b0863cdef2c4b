"""Signing a test client in to a store's ``/admin``, through the sign-in form."""

from __future__ import annotations

import html
import re
from typing import Any

from flask.testing import FlaskClient

from core.staff.models import ROLE_OWNER, ROLE_STAFF

ROLES = (ROLE_OWNER, ROLE_STAFF)
_FIELD_ERROR = re.compile(r'<p class="error"[^>]*>(.*?)</p>', re.S)


def staff_email(slug: str) -> str:
    """The email of the staff member ``haat_admin_client(store, role="staff")`` makes."""
    return f"staff@{slug}.example"


def ensure_staff(store_id: int, email: str, password: str) -> None:
    """Add a staff member (role ``staff``) with this email and password, unless the
    store has one with this email already. Call in the app context and store scope."""
    from sqlalchemy import select

    from core.db import db
    from core.staff.models import StaffUser

    if db.session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is None:
        user = StaffUser(email=email, role=ROLE_STAFF)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()


def owner_email(store_id: int) -> str | None:
    """The email of the store's (first) owner. Call in the app context and store scope."""
    from sqlalchemy import select

    from core.db import db
    from core.staff.models import StaffUser

    return db.session.scalar(select(StaffUser.email).where(StaffUser.role == ROLE_OWNER)
                             .order_by(StaffUser.id).limit(1))


def sign_in(client: FlaskClient, email: str, password: str, role: str) -> Any:
    """Post the sign-in form; ``AssertionError`` with the page's message when refused."""
    __tracebackhide__ = True
    response = client.post("/admin/login", data={"email": email, "password": password})
    location = response.headers.get("Location", "")
    if response.status_code != 303 or "/admin/login" in location:
        page = response.get_data(as_text=True)
        said = [html.unescape(re.sub(r"<[^>]+>", "", m)).strip()
                for m in _FIELD_ERROR.findall(page)]
        raise AssertionError(
            f"/admin/login refused {email} ({role}): HTTP {response.status_code}"
            + (f": {'; '.join(s for s in said if s)}" if any(said) else "")
            + ". Pass email= and password= when the store's owner was made with others.")
    return response
