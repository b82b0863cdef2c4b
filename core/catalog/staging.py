"""Photos chosen in the product editor before the product is saved ("staged" images).

A browser cannot be told to fill a file input again, so a photo that only lived in the
form would be lost whenever the form comes back from the server: after a mistake, or
after a step such as "make every combination" without JavaScript. So, as hosted shops
do (the file is uploaded first and the product then refers to the upload), a photo is
stored the moment it reaches the server: checked exactly like a product image, kept
privately, and recorded as a :class:`~core.catalog.models.StagedImage` of the store that
says ``processing``; a job (:mod:`core.catalog.image_jobs`) then cleans and resizes it.
The form then carries only its id (``staged-<id>-alt``/``-position``), so the page can
come back any number of times. Saving the product turns the staged row into a
:class:`~core.catalog.models.ProductImage` with the same files
(:func:`core.catalog.editing.save_product`); staged images older than
:data:`STAGED_LIFETIME` (a form that was never saved) are removed with their files
whenever the store stages new ones.

The editor's script sends each photo here as soon as it is chosen, so previews,
reordering and the variants' photo choice all work before the first save.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import timedelta

from sqlalchemy import select

from core.catalog.editing import ImageFiles, image_stem, remove_files
from core.catalog.image_jobs import queue_marking, queue_processing
from core.catalog.images import ImageRejected, store_upload
from core.catalog.models import ProductImage, StagedImage
from core.db import db, utcnow
from core.storage import Storage

#: How long a staged image waits for its product to be saved.
STAGED_LIFETIME = timedelta(days=1)
_MAX_NAME = 200


def stage_files(storage: Storage, tenant_id: int, stem: str,
                files: Sequence[tuple[str, bytes]]) -> tuple[list[StagedImage], list[str]]:
    """Check and keep each ``(file name, data)`` and record it as staged (flushed, not
    committed); returns the staged rows and a message naming each refused file.

    The rows say ``processing``: once they are committed, :func:`process_later` queues
    the job that makes their files.
    """
    staged: list[StagedImage] = []
    refused: list[str] = []
    for name, data in files:
        try:
            stored = store_upload(storage, tenant_id, data, stem=image_stem(stem))
        except ImageRejected as exc:
            refused.append(f"{name}: {exc}" if name else str(exc))
            continue
        row = StagedImage(storage_key=stored.storage_key, name=_short_name(name),
                          width=stored.width, height=stored.height,
                          widths=",".join(str(w) for w in stored.widths), processing=True)
        db.session.add(row)
        staged.append(row)
    db.session.flush()
    return staged, refused


def process_later(tenant_id: int, rows: Sequence[StagedImage]) -> None:
    """Queue the job that makes the files of each staged row still ``processing`` (call
    once the rows are committed)."""
    waiting = [row for row in rows if row.processing]
    queue_processing(tenant_id, [row.storage_key for row in waiting])
    for row in waiting:  # a job that ran at once (tests' immediate queue) changed them
        db.session.expire(row)


def mark_when_ready(tenant_id: int, images: Sequence[ProductImage]) -> None:
    """After a product save committed: queue the check that marks its images copied
    from still-processing staged rows ready (:func:`~core.catalog.image_jobs.mark_photo_ready`)."""
    queue_marking(tenant_id, [image.storage_key for image in images if image.processing])


def staged_by_id(ids: Collection[int]) -> dict[int, StagedImage]:
    """The current store's staged images among ``ids`` (another store's are not found)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {row.id: row for row in db.session.scalars(
        select(StagedImage).where(StagedImage.id.in_(wanted)))}


def discard(storage: Storage, tenant_id: int, rows: Sequence[StagedImage]) -> None:
    """Delete staged rows and their files (the merchant took the photo out again).
    Commits, as the files must only go once no row points at them."""
    files = [ImageFiles(row.storage_key, row.width_list) for row in rows]
    for row in rows:
        db.session.delete(row)
    db.session.commit()
    remove_files(storage, tenant_id, files)


def remove_stale(storage: Storage, tenant_id: int) -> int:
    """Delete the store's staged images older than :data:`STAGED_LIFETIME` with their
    files; commits. Returns how many went."""
    cutoff = utcnow() - STAGED_LIFETIME
    rows = list(db.session.scalars(select(StagedImage).where(StagedImage.created_at < cutoff)
                                   .limit(500)))
    if rows:
        discard(storage, tenant_id, rows)
    return len(rows)


def _short_name(name: str) -> str:
    name = " ".join(name.replace("\\", "/").rsplit("/", 1)[-1].split())
    return name[:_MAX_NAME]
