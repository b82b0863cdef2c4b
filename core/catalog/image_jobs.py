"""The job that turns a product photo's kept upload into its clean original and renditions.

The product editor only checks an upload and keeps it privately
(:func:`core.catalog.images.store_upload`); its :class:`~core.catalog.models.StagedImage`
(and, once the product is saved, :class:`~core.catalog.models.ProductImage`) says
``processing`` until this job has written the files. Pages show a placeholder meanwhile
(:mod:`core.storefront.media`). Resizing twelve 40-megapixel photos then costs a worker
of the queue, not the merchant's request.

The job is safe to run twice for the same key: a second run finds no upload waiting and
only marks rows that a product save created meanwhile (the save queues it again for
exactly that reason, see :func:`queue_processing`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import select

from core.catalog.images import delete_image, finish_upload
from core.catalog.models import ProductImage, StagedImage
from core.db import db
from core.storage import get_storage


def queue_processing(tenant_id: int, storage_keys: Iterable[str]) -> None:
    """Queue :func:`process_photo` for each key (call after the rows are committed: a
    worker, or the immediate queue of tests, reads them in its own session)."""
    jobs = current_app.extensions["haat_jobs"]
    for key in dict.fromkeys(storage_keys):
        # Bulk work: should become enqueue_bulk once the queue has it (issue 21).
        jobs.enqueue(process_photo, tenant_id, key)


def process_photo(store: Any, storage_key: str) -> None:
    """Write the clean original and renditions for ``storage_key`` in ``store``'s folder
    and mark its rows ready. Runs in the store's tenant scope: another store's rows are
    not found and its folder is never touched."""
    storage = get_storage()
    stored = finish_upload(storage, store.id, storage_key)
    rows = _rows(storage_key)
    if stored is None:
        # Done by an earlier run, or deleted: mark what exists once its file is there.
        if storage.path(store.id, storage_key).is_file():
            for row in rows:
                row.processing = False
        return
    if not rows:  # the photo was taken out while the job worked: nothing shows it
        delete_image(storage, store.id, storage_key, stored.widths)
        return
    widths = ",".join(str(w) for w in stored.widths)
    for row in rows:
        row.width, row.height, row.widths = stored.width, stored.height, widths
        row.processing = False
    # The job's runner commits; the flush bumps the store's content version, so
    # cached pages showing the placeholder are retired at once.


def _rows(storage_key: str) -> list[ProductImage | StagedImage]:
    rows: list[ProductImage | StagedImage] = []
    for model in (StagedImage, ProductImage):
        rows.extend(db.session.scalars(select(model).where(model.storage_key == storage_key)))
    return rows
