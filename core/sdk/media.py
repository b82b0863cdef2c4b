"""Shoppers' and merchants' photos that a plugin keeps (services layer).

:func:`save_image` runs an upload through the checks product photos get (size, format,
pixel count, that it decodes completely), turns it upright, strips its metadata and
writes resized copies, inside the store's own media folder. The files are served from
the store's host at ``/media/...`` and from no other store's.
"""

from __future__ import annotations

import secrets

from core.catalog import images as core_images
from core.catalog.images import ImageRejected
from core.sdk.catalog import UploadedImage
from core.sdk.store import StoreInfo, require_store

__all__ = ["ImageRejected", "delete_image", "image_srcset", "image_url", "save_image"]

#: The largest upload accepted, and the most pixels: the limits of product photos.
MAX_BYTES = core_images.MAX_UPLOAD_BYTES
MAX_PIXELS = core_images.MAX_PIXELS


def save_image(store: StoreInfo, plugin: str, data: bytes, *,
               max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> UploadedImage:
    """Check ``data`` (the bytes of an upload) and keep it as ``plugin``'s photo in
    ``store``: a clean original (JPEG, or PNG when it has transparency) and WebP and
    JPEG/PNG copies at the widths of product photos (160 to 1280 pixels) that are not
    wider than the original.

    ``max_bytes`` and ``max_pixels`` may only lower the product-photo limits (10 MB, 40
    megapixels); a shopper's photo rarely needs more than 8 MB and 24 megapixels.
    Raises ``ImageRejected`` when the file cannot be used: its ``str()`` says why, in
    the language of the moment (:func:`core.sdk.current_locale`), ready to show next to
    the file field. Nothing is written then. Raises ``ValueError`` for a plugin that is
    not installed.
    """
    from flask import current_app

    from core.storage import get_storage

    info = require_store(store)
    if plugin not in current_app.extensions["haat_plugins"].installed:
        raise ValueError(f"{plugin!r} is not an installed plugin; use the `name` of your "
                         "plugin's manifest")
    stored = core_images.store_image(
        get_storage(), info.id, bytes(data), stem=f"plugins/{plugin}/{secrets.token_hex(10)}",
        max_bytes=min(int(max_bytes), MAX_BYTES), max_pixels=min(int(max_pixels), MAX_PIXELS))
    return UploadedImage(stored.storage_key, stored.width, stored.height, stored.widths)


def delete_image(store: StoreInfo, image: UploadedImage) -> None:
    """Remove ``image`` and all its copies from ``store``'s media; missing files are
    fine, so it is safe to call twice."""
    from core.storage import get_storage

    _check(image)
    core_images.delete_image(get_storage(), require_store(store).id, image.key, image.widths)


def image_url(store: StoreInfo, image: UploadedImage, width: int | None = None,
              fmt: str = "original") -> str:
    """The absolute URL of ``image`` on ``store``'s host: the original when ``width`` is
    ``None``, else the copy of that width (one of ``image.widths``; ``ValueError``
    otherwise) as WebP (``fmt="webp"``) or in the original's format."""
    info = require_store(store)
    _check(image)
    if width is None:
        return info.url(f"media/{image.key}")
    if width not in image.widths:
        raise ValueError(f"{image.key} has no copy {width} pixels wide; it has {image.widths}")
    return info.url(f"media/{core_images.rendition_key(image.key, width, fmt)}")


def image_srcset(store: StoreInfo, image: UploadedImage, fmt: str = "webp") -> str:
    """A ``srcset`` of all of ``image``'s copies, ``"https://…-160.webp 160w, …"``, as
    WebP or (``fmt="original"``) in the original's format: put both in a ``<picture>``
    so browsers without WebP get the other."""
    info = require_store(store)
    _check(image)
    return core_images.srcset(image.key, image.widths, fmt,
                              lambda key: info.url(f"media/{key}"))


def _check(image: UploadedImage) -> None:
    if not isinstance(image, UploadedImage):
        raise TypeError("image must be the core.sdk.UploadedImage that save_image returned "
                        "(rebuild it from the four fields you stored)")
