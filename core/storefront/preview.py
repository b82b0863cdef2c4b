"""The staff preview of a theme draft: the storefront as shoppers would see it once the
draft is published.

A storefront URL with ``?theme_preview=1`` asks for it. Only the store's signed-in staff
get it (a staff session is bound to the store's host, so one store's staff can never
preview another's); anyone else gets the published page. Such a request:

* is never stored in nor served from the page cache (:func:`page_cache.cache_key`
  answers ``None`` whenever the argument is there, signed in or not);
* is sent ``Cache-Control: no-store, private`` and ``noindex``;
* keeps the argument on the storefront links it renders, so the merchant can click
  around the preview (:func:`keep_in_links`).

The theme page of the admin shows it in an ``<iframe>`` (same origin, which the app's
framing headers allow: :mod:`core.web.framing`).
"""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

PREVIEW_ARG = "theme_preview"
#: Storefront pages whose links keep the preview on.
PREVIEW_ENDPOINTS = frozenset({"storefront.index", "storefront.collection", "storefront.product",
                               "storefront.page", "storefront.search", "storefront.cart"})


def preview_requested() -> bool:
    """Whether this request asks for the theme preview (signed in or not)."""
    return request.args.get(PREVIEW_ARG) == "1"


def previewing() -> bool:
    """Whether this request shows the theme draft: asked for, by the store's staff."""
    if "haat_theme_preview" not in g:
        g.haat_theme_preview = bool(
            preview_requested() and request.method == "GET"
            and getattr(current_user, "is_authenticated", False))
    return g.haat_theme_preview


def start_preview() -> None:
    """``before_request``: settle early whether this request is a preview, so links
    rendered before the theme is read already keep it."""
    if preview_requested():
        previewing()


def keep_in_links(endpoint: str, values: dict[str, Any]) -> None:
    """``url_defaults``: in a preview, storefront links stay in the preview."""
    if endpoint in PREVIEW_ENDPOINTS and g.get("haat_theme_preview"):
        values.setdefault(PREVIEW_ARG, "1")


def private_preview(response: Response) -> Response:
    """``after_request``: a preview page is kept by no cache and not indexed."""
    if g.get("haat_theme_preview"):
        response.cache_control.no_store = True
        response.cache_control.private = True
        response.cache_control.public = False
        response.cache_control.max_age = None
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def preview_banner() -> Markup:
    """``{{ theme_preview_banner() }}`` in a theme's layout: in a preview opened on its
    own (not in the theme editor's frame), says that shoppers do not see it yet."""
    if not previewing() or request.headers.get("Sec-Fetch-Dest") == "iframe":
        return Markup("")
    from flask import url_for

    # Styled here, not by the theme: every theme gets the same plain strip.
    return Markup(
        '<div class="theme-preview-banner" role="note" style="background:#1d1d1f;color:#fff;'
        'padding:.6rem 1rem;font:15px/1.4 system-ui,sans-serif"><p style="margin:0">%s '
        '<a href="%s" style="color:#fff;text-decoration:underline">%s</a></p></div>'
    ) % (_("Preview of your theme settings: shoppers do not see them until you publish."),
         url_for("admin_theme.index"), _("Back to the theme editor"))
