"""The product import job: check every row of a CSV, then write the catalogue in batches.

``start_import`` (a web request) stores the file and queues :func:`run_import`;
``haat products import`` calls :func:`run_import` itself. The job:

1. **checks** every row (:func:`core.catalog.csv_io.parse_products`), then what needs
   the store's data: SKUs other products use, and images (this store's own media URLs
   must exist; other URLs are downloaded, checked and stored, only when every other
   cell is fine). Any problem: status ``rejected`` and **nothing is written** (images
   already stored for it are deleted again).
2. **writes** products upserted by handle, :data:`BATCH_SIZE` products per transaction,
   with the progress committed in the same transaction. Collections named in the file
   that do not exist are created (title from the handle). If writing breaks part way
   (status ``failed``), the batches before stay written; importing the same file again
   finishes the job, since the import updates products by handle.

Progress (``processed_rows`` of ``total_rows``) is committed every few hundred rows so
the admin page and the CLI can show it.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from flask import current_app
from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.catalog.csv_io import (
    COLUMNS,
    CsvFileError,
    ParsedFile,
    ProductRecord,
    RowError,
    count_rows,
    parse_products,
)
from core.catalog.images import (
    MAX_UPLOAD_BYTES,
    RENDITION_WIDTHS,
    ImageRejected,
    delete_image,
    rendition_key,
    store_image,
)
from core.catalog.imports import (
    IMPORT_CHECKING,
    IMPORT_DONE,
    IMPORT_FAILED,
    IMPORT_QUEUED,
    IMPORT_REJECTED,
    IMPORT_WRITING,
    ProductImport,
)
from core.catalog.models import (
    Collection,
    CollectionProduct,
    Product,
    ProductImage,
    ProductVariant,
)
from core.catalog.variants import sync_from_variants
from core.db import db, utcnow
from core.sdk import StoreInfo
from core.storage import Storage, UnsafeKey, get_storage
from tenants import Domain

log = logging.getLogger("haat.import")

BATCH_SIZE = 200  # products per transaction while writing
MAX_STORED_ERRORS = 500
IMAGE_TIMEOUT = 10  # seconds per download
MAX_REDIRECTS = 3
MEDIA_PREFIX = "/media/"

Progress = Callable[[ProductImport], None]
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ----------------------------------------------------------------------- starting


def create_import(filename: str, data: bytes, started_by: str) -> ProductImport:
    """Store the file and record a queued import of the store in scope (committed).

    Raises :class:`CsvFileError` when the file cannot be read or misses a column.
    """
    total = count_rows(data)
    tenant_id = _tenant_id()
    key = f"imports/{secrets.token_hex(12)}.csv"
    get_storage().save(tenant_id, key, data)
    record = ProductImport(filename=filename[:255], storage_key=key, total_rows=total,
                           started_by=started_by[:254], errors=[])
    db.session.add(record)
    db.session.commit()
    return record


def start_import(store_id: int, filename: str, data: bytes, started_by: str) -> ProductImport:
    """Record the import and queue :func:`run_import`; returns the (committed) record."""
    record = create_import(filename, data, started_by)
    import_id = record.id
    # Bulk: a 100k-row import must never hold another store's order emails.
    current_app.extensions["haat_jobs"].enqueue_bulk(run_import, store_id, import_id)
    return db.session.get(ProductImport, import_id) or record


def _tenant_id() -> int:
    from tenants.context import require_tenant_id

    return require_tenant_id()


# ------------------------------------------------------------------------ the job


def run_import(store: StoreInfo, import_id: int, progress: Progress | None = None) -> None:
    """Check and write the import ``import_id`` of ``store`` (a job: ``func(store, *args)``).

    Does nothing when the import is not queued (a job delivered twice).
    """
    record = db.session.get(ProductImport, import_id)
    if record is None or record.status != IMPORT_QUEUED:
        return
    storage = get_storage()
    key = record.storage_key
    job = _Job(store, record, storage, progress)
    try:
        job.run()
    except Exception:
        log.exception("product import %s of store %s failed", import_id, store.id)
        db.session.rollback()
        record = db.session.get(ProductImport, import_id)
        if record is not None:
            written = record.processed_rows if record.status == IMPORT_WRITING else 0
            record.status = IMPORT_FAILED
            record.finished_at = utcnow()
            record.errors = [{"row": 0, "column": "", "message": _(
                "The import stopped because of an error on our side. Products of the rows "
                "before row %(row)s were saved; import the same file again to finish (it "
                "updates products by handle).", row=written + 2) if written else _(
                "The import stopped because of an error on our side; nothing was saved. "
                "Please try again.")}]
            db.session.commit()
            if progress is not None:
                progress(record)
    finally:
        try:
            storage.delete(store.id, key)
        except (OSError, UnsafeKey):
            log.warning("could not delete %s of store %s", key, store.id)


@dataclass(frozen=True)
class ImageFile:
    """An image ready to attach: a storage key and what a ``ProductImage`` records."""

    storage_key: str
    width: int
    height: int
    widths: str
    downloaded: bool = False


@dataclass
class _Job:
    store: StoreInfo
    record: ProductImport
    storage: Storage
    progress: Progress | None
    images: dict[tuple[str, int], ImageFile] = field(default_factory=dict)
    notes: list[RowError] = field(default_factory=list)

    # -- the steps

    def run(self) -> None:
        self._set(status=IMPORT_CHECKING, processed_rows=0)
        data = self.storage.path(self.store.id, self.record.storage_key).read_bytes()
        try:
            parsed = parse_products(data, self.store.currency, self._checked)
        except CsvFileError as exc:
            self._finish(IMPORT_REJECTED, [RowError(1, "", str(exc))])
            return
        self.notes = list(parsed.notes)
        errors = list(parsed.errors)
        if not errors:
            errors = self._check_skus(parsed.products)
        if not errors and "image_src" in parsed.columns:
            errors = self._prepare_images(parsed.products)
        if errors:
            self._discard_images()
            self._finish(IMPORT_REJECTED, errors)
            return
        self._set(status=IMPORT_WRITING, processed_rows=0)
        created, updated = self._write(parsed)
        self._finish(IMPORT_DONE, [], created_count=created, updated_count=updated)

    def _set(self, **values: Any) -> None:
        # After a commit the record is expired; load it first so the tenant guard sees
        # whose row it is.
        _owner = self.record.tenant_id
        for name, value in values.items():
            setattr(self.record, name, value)
        db.session.commit()
        if self.progress is not None:
            self.progress(self.record)

    def _checked(self, rows: int) -> None:
        self._set(processed_rows=min(rows, self.record.total_rows or rows))

    def _finish(self, status: str, errors: list[RowError], **counts: int) -> None:
        done = {"processed_rows": self.record.total_rows} if status == IMPORT_DONE else {}
        errors = sorted(errors, key=lambda e: e.row)
        self._set(status=status, errors=stored_errors(errors, self.notes),
                  finished_at=utcnow(), **done, **counts)

    # -- checks that need the store's data

    def _check_skus(self, products: list[ProductRecord]) -> list[RowError]:
        """SKUs in the file that a product with another handle has now."""
        wanted = {v.sku: (p.handle, v.row) for p in products for v in p.variants if v.sku}
        owners: dict[str, str] = {}
        for chunk in _chunks(sorted(wanted), 500):
            statements = (
                select(Product.sku, Product.handle).where(Product.sku.in_(chunk)),
                select(ProductVariant.sku, Product.handle)
                .join(Product, ProductVariant.product_id == Product.id)
                .where(ProductVariant.sku.in_(chunk)))
            for statement in statements:
                for sku, handle in db.session.execute(statement):
                    if handle != wanted[sku][0]:
                        owners[sku] = handle
        return [RowError(wanted[sku][1], COLUMNS["sku"],
                         _("The product %(handle)s already has SKU %(sku)s; each variant "
                           "needs its own.", handle=handle, sku=sku))
                for sku, handle in sorted(owners.items(), key=lambda i: wanted[i[0]][1])]

    def _own_hosts(self) -> set[str]:
        hosts = {(urlsplit(self.store.base_url).hostname or "").lower()}
        # Only names the store proved are its own: an unverified claim may be anyone's.
        hosts.update(h.lower() for h in db.session.scalars(
            select(Domain.hostname).where(Domain.verified.is_(True))))
        return hosts

    def _prepare_images(self, products: list[ProductRecord]) -> list[RowError]:
        """Find every image: this store's own files, or downloaded and stored."""
        hosts = self._own_hosts()
        own: dict[tuple[str, int], str] = {}
        remote: list[tuple[ProductRecord, int, str]] = []
        errors: list[RowError] = []
        for product in products:
            seen: dict[str, int] = {}
            for image in product.images:
                if image.src in seen:
                    errors.append(RowError(image.row, COLUMNS["image_src"], _(
                        "This image is already on row %(row)s.", row=seen[image.src])))
                    continue
                seen[image.src] = image.row
                try:
                    parts = urlsplit(image.src)
                except ValueError:  # e.g. "http://[::1/" (an unclosed IPv6 address)
                    parts = urlsplit("")
                if (parts.scheme in ("", "http", "https") and parts.path.startswith(MEDIA_PREFIX)
                        and (not parts.netloc or (parts.hostname or "").lower() in hosts)):
                    own[(product.handle, image.row)] = unquote(parts.path[len(MEDIA_PREFIX):])
                elif parts.scheme in ("http", "https") and parts.hostname:
                    remote.append((product, image.row, image.src))
                else:
                    errors.append(RowError(image.row, COLUMNS["image_src"], _(
                        "Enter the image's full address, starting with https://.")))
        known = self._own_image_files(set(own.values()))
        for (handle, row), key in own.items():
            if key in known:
                self.images[(handle, row)] = known[key]
            else:
                errors.append(RowError(row, COLUMNS["image_src"], _(
                    "This image is not in the store any more. Use another image address.")))
        if errors:
            return errors
        return self._download(remote)

    def _own_image_files(self, keys: set[str]) -> dict[str, ImageFile]:
        """The store's files among ``keys``, described from image rows or from the files."""
        found: dict[str, ImageFile] = {}
        # "%00" names no file, and PostgreSQL refuses the character in a query.
        keys = {key for key in keys if "\x00" not in key}
        for chunk in _chunks(sorted(keys), 500):
            rows = db.session.execute(
                select(ProductImage.storage_key, ProductImage.width, ProductImage.height,
                       ProductImage.widths).where(ProductImage.storage_key.in_(chunk)))
            for key, width, height, widths in rows:
                found.setdefault(key, ImageFile(key, width, height, widths))
        for key in keys - found.keys():
            try:
                path = self.storage.path(self.store.id, key)
                with Image.open(path) as image:
                    width, height = image.size
            except (OSError, UnsafeKey, ValueError, Image.DecompressionBombError):
                continue
            widths = [w for w in RENDITION_WIDTHS
                      if self.storage.path(self.store.id, rendition_key(key, w, "webp")).exists()]
            found[key] = ImageFile(key, width, height, ",".join(map(str, widths)))
        return found

    def _download(self, remote: list[tuple[ProductRecord, int, str]]) -> list[RowError]:
        errors: list[RowError] = []
        for number, (product, row, url) in enumerate(remote, start=1):
            try:
                data = fetch_image(url)
                stored = store_image(self.storage, self.store.id, data,
                                     stem=f"products/{product.handle}-{secrets.token_hex(4)}")
            except (ImageFetchError, ImageRejected) as exc:
                errors.append(RowError(row, COLUMNS["image_src"], str(exc)))
                continue
            self.images[(product.handle, row)] = ImageFile(
                stored.storage_key, stored.width, stored.height,
                ",".join(map(str, stored.widths)), downloaded=True)
            if number % 20 == 0:
                self._set()  # lets the page show that the job is alive
        return errors

    def _discard_images(self) -> None:
        for image in self.images.values():
            if image.downloaded:
                widths = [int(w) for w in image.widths.split(",") if w]
                delete_image(self.storage, self.store.id, image.storage_key, widths)
        self.images.clear()

    # -- writing

    def _write(self, parsed: ParsedFile) -> tuple[int, int]:
        columns = parsed.columns
        collections = self._collections(parsed.products) if "collections" in columns else {}
        positions: dict[int, int] = {}
        if collections:
            rows = db.session.execute(
                select(CollectionProduct.collection_id, func.max(CollectionProduct.position))
                .group_by(CollectionProduct.collection_id))
            positions = {collection_id: top for collection_id, top in rows}
        created = updated = 0
        done_rows = 0
        for batch in _chunks(parsed.products, BATCH_SIZE):
            handles = [p.handle for p in batch]
            existing = {p.handle: p for p in db.session.scalars(
                select(Product).where(Product.handle.in_(handles)).options(
                    selectinload(Product.variants), selectinload(Product.images),
                    selectinload(Product.memberships)))}
            for record in batch:
                product = existing.get(record.handle)
                if product is None:
                    product = Product(handle=record.handle, price_amount=0, stock=0)
                    db.session.add(product)
                    created += 1
                else:
                    updated += 1
                self._apply(record, product, columns)
                if "collections" in columns:
                    _set_collections(product, [collections[h] for h in record.collections],
                                     positions)
                done_rows = max(done_rows, record.last_row - 1)
            self._set(processed_rows=done_rows)
        return created, updated

    def _collections(self, products: list[ProductRecord]) -> dict[str, int]:
        """Collection ids by handle; missing collections are created (and noted)."""
        first_use: dict[str, int] = {}
        for product in products:
            for handle in product.collections:
                first_use.setdefault(handle, product.row)
        found: dict[str, int] = {}
        for chunk in _chunks(sorted(first_use), 500):
            rows = db.session.execute(
                select(Collection.handle, Collection.id).where(Collection.handle.in_(chunk)))
            found.update((handle, collection_id) for handle, collection_id in rows)
        missing = [Collection(handle=h, title=h.replace("-", " ").capitalize())
                   for h in first_use if h not in found]
        if missing:
            db.session.add_all(missing)
            db.session.flush()
            for collection in missing:
                found[collection.handle] = collection.id
                self.notes.append(RowError(first_use[collection.handle], COLUMNS["collections"],
                                           _("Created the collection %(handle)s.",
                                             handle=collection.handle)))
        return found

    def _apply(self, record: ProductRecord, product: Product, columns: frozenset[str]) -> None:
        for name, value in record.values.items():
            setattr(product, name, value)
        product.option_names = ",".join(record.option_names)
        first = record.variants[0]
        if "grams" in columns:
            product.weight_grams = first.grams or 0
        if record.option_names:
            _set_variants(product, record, columns)
            sync_from_variants(product)
            product.sku = None
        else:
            product.variants = []
            product.price_amount = first.price
            if "compare_at" in columns:
                product.compare_at_amount = first.compare_at
            if "sku" in columns:
                product.sku = first.sku
            if "stock" in columns:
                product.stock = first.stock
        if "image_src" in columns:
            self._set_images(record, product)

    def _set_images(self, record: ProductRecord, product: Product) -> None:
        kept = {image.storage_key: image for image in product.images}
        order = sorted(enumerate(record.images),
                       key=lambda item: (item[1].position or 10**9, item[0]))
        images: list[ProductImage] = []
        for position, (_index, wanted) in enumerate(order):
            found = self.images[(record.handle, wanted.row)]
            image = kept.pop(found.storage_key, None) or ProductImage(
                storage_key=found.storage_key, width=found.width, height=found.height,
                widths=found.widths)
            image.alt = wanted.alt
            image.position = position
            images.append(image)
        product.images = images


def _set_variants(product: Product, record: ProductRecord, columns: frozenset[str]) -> None:
    """Replace the variants, keeping the rows (ids) of those matched by SKU or options."""
    old = list(product.variants)
    by_sku = {v.sku: v for v in old if v.sku}
    by_options = {(v.option1, v.option2, v.option3): v for v in old}
    used: set[int] = set()
    pairs: list[tuple[ProductVariant | None, Any]] = []
    for wanted in record.variants:
        match = by_sku.get(wanted.sku) if wanted.sku and "sku" in columns else None
        if match is None or id(match) in used:
            match = by_options.get(wanted.options)
        if match is not None and id(match) in used:
            match = None
        if match is not None:
            used.add(id(match))
        pairs.append((match, wanted))
    removed = [v for v in old if id(v) not in used]
    moving = [v for v, w in pairs
              if v is not None and (v.option1, v.option2, v.option3) != w.options]
    if moving:
        # Options swap places between rows: clear the way first, or the unique
        # (product, option1, option2, option3) constraint trips in the middle.
        for variant in removed:
            product.variants.remove(variant)
        for variant in moving:
            variant.option1 = f"~moving~{variant.id}"
        db.session.flush()
    variants: list[ProductVariant] = []
    for position, (variant, wanted) in enumerate(pairs):
        if variant is None:
            variant = ProductVariant(stock=0)
        variant.option1, variant.option2, variant.option3 = wanted.options
        variant.price_amount = wanted.price
        variant.position = position
        if "sku" in columns:
            variant.sku = wanted.sku
        if "compare_at" in columns:
            variant.compare_at_amount = wanted.compare_at
        if "stock" in columns:
            variant.stock = wanted.stock
        if "grams" in columns:
            variant.weight_grams = (wanted.grams if wanted.grams is not None
                                    and wanted.grams != product.weight_grams else None)
        variants.append(variant)
    product.variants = variants


def _set_collections(product: Product, wanted: list[int], positions: dict[int, int]) -> None:
    kept = {m.collection_id: m for m in product.memberships}
    memberships: list[CollectionProduct] = []
    for collection_id in wanted:
        membership = kept.pop(collection_id, None)
        if membership is None:
            position = positions.get(collection_id, -1) + 1
            positions[collection_id] = position
            membership = CollectionProduct(collection_id=collection_id, position=position)
        memberships.append(membership)
    product.memberships = memberships


# ------------------------------------------------------------------------ errors


def stored_errors(errors: Iterable[RowError], notes: Iterable[RowError]) -> list[dict[str, Any]]:
    """Errors (at most :data:`MAX_STORED_ERRORS`, then one ``more`` entry) and notes."""
    errors = list(errors)
    stored = [e.as_dict() for e in errors[:MAX_STORED_ERRORS]]
    if len(errors) > MAX_STORED_ERRORS:
        stored.append({"row": 0, "column": "", "message": "",
                       "more": len(errors) - MAX_STORED_ERRORS})
    stored += [{**n.as_dict(), "note": True} for n in notes]
    return stored


@dataclass(frozen=True)
class ErrorSummary:
    """An import's stored problems, ready to show."""

    errors: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    total: int


def summarise(record: ProductImport) -> ErrorSummary:
    """Split ``record.errors`` into errors and notes and count every error."""
    entries = record.errors or []
    errors = [e for e in entries if not e.get("note") and "more" not in e]
    more = sum(int(e.get("more", 0)) for e in entries)
    return ErrorSummary(errors=errors, notes=[e for e in entries if e.get("note")],
                        total=len(errors) + more)


# ------------------------------------------------------------------------ downloads


class ImageFetchError(ValueError):
    """An image URL could not be downloaded; ``str()`` is a message for the merchant."""


def _private_allowed() -> bool:
    return bool(current_app.config.get("HAAT_IMPORT_ALLOW_PRIVATE_URLS"))


def _refuse_private(address: str) -> None:
    if not ipaddress.ip_address(address.split("%")[0]).is_global:
        raise ImageFetchError(_("Images can only be imported from public websites."))


def _public_only(url: str) -> None:
    """Refuse addresses inside our own network (unless the app allows them, e.g. tests)."""
    if _private_allowed():
        return
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        raise ImageFetchError(_("The image's website could not be found.")) from None
    for address in addresses:
        _refuse_private(address)


def _connect_public(address: tuple[str, int], timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT,
                    source_address: Any = None) -> socket.socket:
    # The name is resolved again when connecting, and may answer differently than it
    # did for _public_only (DNS rebinding): check the address actually connected to.
    sock = socket.create_connection(address, timeout, source_address)
    try:
        _refuse_private(sock.getpeername()[0])
    except ImageFetchError:
        sock.close()
        raise
    return sock


class _PublicHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_public


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_public


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: Any) -> Any:
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: Any) -> Any:
        return self.do_open(_PublicHTTPSConnection, req, context=self._context)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise ImageFetchError(_("The image address redirects somewhere else."))
        _public_only(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_image(url: str, *, max_bytes: int = MAX_UPLOAD_BYTES,
                timeout: float = IMAGE_TIMEOUT) -> bytes:
    """The bytes at ``url`` (http or https, public addresses only, size-limited)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ImageFetchError(_("Enter the image's full address, starting with https://."))
    _public_only(url)
    handlers: list[Any] = [_CheckedRedirects()]
    if not _private_allowed():
        # No proxy from the environment: the address connected to must be the image's.
        handlers += [urllib.request.ProxyHandler({}), _PublicHTTPHandler(),
                     _PublicHTTPSHandler()]
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers={"User-Agent": "Haat product import"})  # noqa: S310
    too_big = ImageFetchError(_("The image is larger than %(size)s MB.",
                                size=max_bytes // (1024 * 1024)))
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise too_big
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise ImageFetchError(_("The image could not be downloaded (the website answered "
                                "%(status)s).", status=exc.code)) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        if isinstance(exc, ImageFetchError):
            raise
        raise ImageFetchError(_("The image could not be downloaded: the website did not "
                                "answer in time or refused.")) from None
    if len(data) > max_bytes:
        raise too_big
    return data
