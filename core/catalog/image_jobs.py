"""The job that turns a product photo's kept upload into its clean original and renditions.

The product editor only checks an upload and keeps it privately
(:func:`core.catalog.images.store_upload`); its :class:`~core.catalog.models.StagedImage`
(and, once the product is saved, :class:`~core.catalog.models.ProductImage`) says
``processing`` until this job has written the files. Pages show a placeholder meanwhile
(:mod:`core.storefront.media`). Resizing twelve 40-megapixel photos then costs a worker
of the queue, not the merchant's request.

The job is safe to run twice for the same key: a second run finds no upload waiting and
only marks the rows ready. A product save queues the cheap :func:`mark_photo_ready` for
images it copied from staged rows still processing (see its docstring for the race).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app
from sqlalchemy import select

from core.catalog.images import delete_image, finish_upload, upload_waiting
from core.catalog.models import ProductImage, StagedImage
from core.db import db
from core.storage import get_storage


def queue_processing(tenant_id: int, storage_keys: Iterable[str]) -> None:
    """Queue one :func:`process_photos` job for these keys (call after the rows are
    committed: a worker, or the immediate queue of tests, reads them in its own session)."""
    _queue(process_photos, tenant_id, storage_keys)


def queue_marking(tenant_id: int, storage_keys: Iterable[str]) -> None:
    """Queue one :func:`mark_photos_ready` job for these keys, after a product save
    committed images copied from staged rows still ``processing``."""
    _queue(mark_photos_ready, tenant_id, storage_keys)


def _queue(func: Callable[..., None], tenant_id: int, storage_keys: Iterable[str]) -> None:
    keys = list(dict.fromkeys(storage_keys))
    if keys:
        # Bulk work: decoding a 50 MP photo takes seconds, and a save may bring a dozen;
        # on the bulk queue they never hold another store's order email. One job per
        # save, not per photo: a store's jobs beyond its bulk slot wait and are retried,
        # and hundreds of one-photo jobs would keep the queue busy retrying.
        current_app.extensions["haat_jobs"].enqueue_bulk(func, tenant_id, keys)


def process_photos(store: Any, storage_keys: list[str]) -> None:
    """:func:`process_photo` for each key, in one job (safe to run again)."""
    for key in storage_keys:
        process_photo(store, key)


def mark_photos_ready(store: Any, storage_keys: list[str]) -> None:
    """:func:`mark_photo_ready` for each key, in one job."""
    for key in storage_keys:
        mark_photo_ready(store, key)


def process_photo(store: Any, storage_key: str) -> None:
    """Write the clean original and renditions for ``storage_key`` in ``store``'s folder
    and mark its rows ready. Runs in the store's tenant scope: another store's rows are
    not found and its folder is never touched."""
    storage = get_storage()
    stored = finish_upload(storage, store.id, storage_key)
    if stored is None:  # done by an earlier run, or deleted meanwhile
        mark_photo_ready(store, storage_key)
        return
    # Read the rows only now: a product save committed while the files were made is seen.
    rows = _rows(storage_key)
    if not rows:  # the photo was taken out while the job worked: nothing shows it
        delete_image(storage, store.id, storage_key, stored.widths)
        return
    widths = ",".join(str(w) for w in stored.widths)
    for row in rows:
        row.width, row.height, row.widths = stored.width, stored.height, widths
        row.processing = False
    # The job's runner commits; the flush bumps the store's content version, so
    # cached pages showing the placeholder are retired at once.


def mark_photo_ready(store: Any, storage_key: str) -> None:
    """Mark the rows of ``storage_key`` ready if its files are made; else leave them to
    :func:`process_photo`, which reads the rows after making the files.

    Why a product save queues this: the save copies a staged row that still says
    ``processing`` into a new product image; a :func:`process_photo` that read its rows
    before the save committed cannot see that image. This cheap job, queued after the
    commit, can, and it never repeats the resizing.
    """
    storage = get_storage()
    if upload_waiting(storage, store.id, storage_key):
        return  # process_photo is still to finish and will mark them
    if not storage.path(store.id, storage_key).is_file():
        return  # deleted
    for row in _rows(storage_key):
        row.processing = False


def _rows(storage_key: str) -> list[ProductImage | StagedImage]:
    rows: list[ProductImage | StagedImage] = []
    for model in (StagedImage, ProductImage):
        rows.extend(db.session.scalars(select(model).where(model.storage_key == storage_key)))
    return rows
