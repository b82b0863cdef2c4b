"""Responsive ``<img>``/``<picture>`` attributes for product and theme images, and the
other URLs a product card needs."""

from __future__ import annotations

from typing import Any

from flask import url_for

from core.catalog.images import rendition_key, srcset
from core.web.urls import url_with

#: What an image shows while its job is still making its files (a plain grey box; the
#: ``width``/``height`` attributes keep the layout as it will be).
PROCESSING_PLACEHOLDER = "image-processing.svg"


def _url(key: str) -> str:
    return url_with("storefront.media", "key", key)


def product_url(handle: str) -> str:
    """``url_for("storefront.product", handle=handle)``, cheaply (a listing links to
    dozens of products)."""
    return url_with("storefront.product", "handle", handle)


def placeholder_url() -> str:
    """The URL of :data:`PROCESSING_PLACEHOLDER`."""
    return url_for("static", filename=PROCESSING_PLACEHOLDER)


def image_sources(storage_key: str, widths: tuple[int, ...] | list[int], width: int = 0,
                  height: int = 0, fallback_width: int = 640, *,
                  processing: bool = False) -> dict[str, Any]:
    """``src``, ``srcset`` (original format) and ``webp`` srcset for an image.

    Images stored before renditions existed have no widths and use the original; an
    image whose files a job is still making (``processing``) shows a placeholder.
    """
    widths = tuple(widths)
    if processing:
        return {"src": placeholder_url(), "srcset": "", "webp": "", "width": width,
                "height": height, "processing": True}
    if not widths:
        return {"src": _url(storage_key), "srcset": "", "webp": "", "width": width,
                "height": height}
    chosen = min((w for w in widths if w >= fallback_width), default=widths[-1])
    return {"src": _url(rendition_key(storage_key, chosen, "original")),
            "srcset": srcset(storage_key, widths, "original", _url),
            "webp": srcset(storage_key, widths, "webp", _url),
            "width": width, "height": height}


def product_image(image: Any) -> dict[str, Any]:
    """:func:`image_sources` for a :class:`~core.catalog.models.ProductImage`."""
    return image_sources(image.storage_key, image.width_list, image.width, image.height,
                         processing=bool(getattr(image, "processing", False)))


def setting_image(value: Any) -> dict[str, Any] | None:
    """:func:`image_sources` for an image theme setting (``{"key", "widths", ...}``)."""
    if not isinstance(value, dict) or not value.get("key"):
        return None
    return image_sources(value["key"], [int(w) for w in value.get("widths", [])],
                         int(value.get("width", 0)), int(value.get("height", 0)))
