"""Haat's WSGI app for the cross-worker tests: each response says which worker made it.

``X-Test-Worker: <pid>`` lets a test check that its requests really reached more than
one gunicorn worker. Only tests start gunicorn with this module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from wsgi import app as haat


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """``haat`` with an ``X-Test-Worker`` header naming this process."""

    def start(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
        return start_response(status, [*headers, ("X-Test-Worker", str(os.getpid()))], *args)

    return haat(environ, start)


#: The Flask app behind the wrapper, for gunicorn.conf.py's warm-up hooks.
app.flask_app = haat  # type: ignore[attr-defined]
