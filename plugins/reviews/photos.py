"""Shoppers' photos on reviews: checked and resized like product photos
(``core.sdk.save_image``), all or nothing for one submission."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.sdk import (
    ImageRejected,
    StoreInfo,
    UploadedImage,
    delete_image,
    image_url,
    save_image,
)

from .models import ReviewPhoto
from .writing_text import _

PLUGIN = "reviews"
#: Photos one review may carry.
MAX_PHOTOS = 5
#: A phone's photo rarely needs more; product photos allow 10 MB and 40 megapixels.
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 24_000_000


@dataclass(frozen=True)
class Upload:
    """One file from the form: its name (for the message) and its bytes."""

    filename: str
    data: bytes


class PhotoProblem(Exception):
    """A photo could not be used; ``str()`` is the message for the shopper."""


def uploads_from(files: Iterable[object]) -> list[Upload]:
    """The files a form sent under one field, skipping the empty part browsers send when
    no file was chosen. Reads at most one byte past ``MAX_BYTES`` of each, which is
    enough for ``save_image`` to refuse a file that is too large."""
    found = []
    for item in files:
        name = str(getattr(item, "filename", "") or "")
        data = item.read(MAX_BYTES + 1) if hasattr(item, "read") else b""
        if name or data:
            found.append(Upload(name, data))
    return found


def save_all(store: StoreInfo, uploads: Sequence[Upload]) -> list[UploadedImage]:
    """Check and keep every upload; when one is refused, remove those already kept and
    raise :class:`PhotoProblem` naming the file."""
    kept: list[UploadedImage] = []
    for upload in uploads:
        try:
            kept.append(save_image(store, PLUGIN, upload.data, max_bytes=MAX_BYTES,
                                   max_pixels=MAX_PIXELS))
        except ImageRejected as refused:
            discard(store, kept)
            name = upload.filename or _("A photo")
            raise PhotoProblem(_("%(file)s: %(reason)s", file=name, reason=str(refused))) \
                from refused
    return kept


def discard(store: StoreInfo, images: Iterable[UploadedImage]) -> None:
    """Delete kept images' files (after a failed submission, or photos removed)."""
    for image in images:
        delete_image(store, image)


def thumb_url(store: StoreInfo, photo: ReviewPhoto) -> str:
    """The smallest copy of a stored photo, for lists and forms."""
    image = photo.image
    return image_url(store, image, image.widths[0])


def row_for(image: UploadedImage, product_id: int, position: int) -> ReviewPhoto:
    """A new photo row for a kept image."""
    return ReviewPhoto(product_id=product_id, position=position, storage_key=image.key,
                       width=image.width, height=image.height,
                       widths=",".join(str(w) for w in image.widths))
