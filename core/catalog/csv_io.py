"""Products as CSV, in Shopify's layout: the columns, reading and checking a file, writing one.

One row per variant. The first row of a handle carries the product's fields (title,
description, tags, status, SEO, collections, video) and its first variant; further rows
of the same handle carry one more variant each, and rows with only ``Handle`` and the
``Image`` columns add images. A product without options has a single row (Shopify's
``Option1 Name`` = ``Title`` / ``Option1 Value`` = ``Default Title`` means the same).

Reading checks every row without touching the database and collects every problem as
(row as a spreadsheet shows it, column, message); checks that need the store's data
(SKUs of other products, images) are made by :mod:`core.catalog.importing`.

Only the columns a file has are applied: a file without ``Collection`` leaves products'
collections as they are. ``Handle``, ``Title`` and ``Variant Price`` are required.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from core.catalog.handles import handle_problem
from core.catalog.models import STATUS_ACTIVE, STATUS_DRAFT, Product
from core.catalog.video import VideoUrlError, parse_video_url
from core.i18n import to_ascii_digits
from core.money import Money, minor_units

# The columns, in the order an export writes them. Keys are what the code calls them.
COLUMNS: dict[str, str] = {
    "handle": "Handle",
    "title": "Title",
    "body": "Body (HTML)",
    "tags": "Tags",
    "status": "Status",
    "option1_name": "Option1 Name",
    "option1_value": "Option1 Value",
    "option2_name": "Option2 Name",
    "option2_value": "Option2 Value",
    "option3_name": "Option3 Name",
    "option3_value": "Option3 Value",
    "sku": "Variant SKU",
    "price": "Variant Price",
    "compare_at": "Variant Compare At Price",
    "stock": "Variant Inventory Qty",
    "grams": "Variant Grams",
    "image_src": "Image Src",
    "image_position": "Image Position",
    "image_alt": "Image Alt Text",
    "seo_title": "SEO Title",
    "seo_description": "SEO Description",
    "collections": "Collection",
    "video_url": "Video URL",
}
REQUIRED = ("handle", "title", "price")
# Other spellings seen in spreadsheets, lower case.
_ALIASES = {"body html": "body", "body": "body", "description": "body",
            "collections": "collections", "sku": "sku", "price": "price",
            "compare at price": "compare_at", "inventory": "stock", "seo title": "seo_title"}
_BY_NAME = {name.casefold(): key for key, name in COLUMNS.items()}

# Fields of the product (first row of a handle only).
PRODUCT_COLUMNS = ("title", "body", "tags", "status", "seo_title", "seo_description",
                   "collections", "video_url", "option1_name", "option2_name", "option3_name")
VARIANT_COLUMNS = ("option1_value", "option2_value", "option3_value", "sku", "price",
                   "compare_at", "stock", "grams")
IMAGE_COLUMNS = ("image_src", "image_position", "image_alt")

MAX_TITLE, MAX_SKU, MAX_TAGS, MAX_OPTION = 200, 64, 500, 100
#: Option names are stored joined by commas in a 200-character column (as the form).
MAX_OPTION_NAME = 50
MAX_SEO_TITLE, MAX_SEO_DESCRIPTION, MAX_ALT, MAX_IMAGE_URL = 200, 320, 300, 2000
#: Stock (of a product: its variants' together) and grams, as the product form allows.
MAX_STOCK = 1_000_000_000
#: Amounts in minor units are stored as 32-bit integers (as the product form allows).
MAX_AMOUNT = 1_000_000_000
#: The most variants a product can have (``core.catalog.editing.MAX_VARIANTS``).
MAX_VARIANTS = 100
PROGRESS_EVERY = 200
# Shopify writes a product without options as one variant with these.
_DEFAULT_OPTION = ("title", "default title")
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/]")
_STATUSES = {"active": STATUS_ACTIVE, "draft": STATUS_DRAFT, "archived": STATUS_DRAFT}


class CsvFileError(ValueError):
    """The file as a whole cannot be read (encoding, no header, required columns missing)."""


@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row (the header is row 1), the column, what to fix."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class VariantRecord:
    """One variant row (or the only row of a product without options)."""

    row: int
    options: tuple[str, str, str]
    sku: str | None
    price: int
    compare_at: int | None
    stock: int
    grams: int | None


@dataclass
class ImageRecord:
    """One image of a product, as the file gives it."""

    row: int
    src: str
    position: int | None
    alt: str


@dataclass
class ProductRecord:
    """A product as the file describes it; ``values`` hold only the columns the file has."""

    handle: str
    row: int
    values: dict[str, Any] = field(default_factory=dict)
    option_names: list[str] = field(default_factory=list)
    variants: list[VariantRecord] = field(default_factory=list)
    images: list[ImageRecord] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    last_row: int = 0


@dataclass
class ParsedFile:
    """What :func:`parse_products` found: products in file order, problems and notes."""

    columns: frozenset[str]
    products: list[ProductRecord]
    errors: list[RowError]
    notes: list[RowError]
    rows: int


# ------------------------------------------------------------------------ reading


def decode(data: bytes) -> str:
    """The file's text; a UTF-8 byte order mark (Excel's "CSV UTF-8") is optional."""
    message = _("The file is not UTF-8 text. In Excel choose \"Save as\" → \"CSV UTF-8\"; "
                "in Google Sheets \"Download\" → \"CSV\".")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(message) from None
    # NUL: UTF-16 without a byte order mark, or not text at all (nor could PostgreSQL
    # store the character).
    if "\x00" in text:
        raise CsvFileError(message)
    return text


def _header_key(name: str) -> str | None:
    text = " ".join(name.replace("\ufeff", "").split()).casefold()
    return _BY_NAME.get(text) or _ALIASES.get(text)


def read_table(data: bytes) -> tuple[dict[str, int], list[str], Iterator[list[str]]]:
    """The column positions by key, the unknown column names, and the data rows.

    Raises :class:`CsvFileError` for a file that is not UTF-8, has no header or misses
    a required column.
    """
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvFileError(_("The file is empty.")) from None
    except csv.Error:
        raise CsvFileError(_("This is not a CSV file Haat can read.")) from None
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for index, name in enumerate(header):
        key = _header_key(name)
        if key is None:
            if name.strip():
                unknown.append(name.strip())
        else:
            positions.setdefault(key, index)
    missing = [COLUMNS[key] for key in REQUIRED if key not in positions]
    if missing:
        raise CsvFileError(_("The first row must name the columns. Missing: %(columns)s. "
                             "Download the template to see them all.",
                             columns=", ".join(missing)))
    return positions, unknown, _rows(reader)


def _rows(reader: Any) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as exc:
        raise CsvFileError(_("The file could not be read after row %(row)s: %(problem)s",
                             row=reader.line_num, problem=str(exc))) from None


def count_rows(data: bytes) -> int:
    """How many data rows the file has (blank rows included); checks the header first."""
    _positions, _unknown, rows = read_table(data)
    return sum(1 for _row in rows)


class _Row:
    """One data row: cells by column key, and where to file problems."""

    def __init__(self, number: int, cells: list[str], positions: dict[str, int],
                 errors: list[RowError]) -> None:
        self.number = number
        self.cells = cells
        self.positions = positions
        self.errors = errors

    def get(self, key: str) -> str:
        index = self.positions.get(key)
        if index is None or index >= len(self.cells):
            return ""
        return unguard_cell(self.cells[index].strip())

    def has(self, *keys: str) -> bool:
        return any(self.get(key) for key in keys)

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.number, COLUMNS[key], message))


def _price_example(currency: str) -> str:
    return "1500 or 99.50" if minor_units(currency) else "1500"


def _amount(row: _Row, key: str, currency: str, *, required: bool) -> int | None:
    text = to_ascii_digits(row.get(key)).replace(",", "")
    if not text:
        if required:
            row.error(key, _("Enter a price, e.g. %(example)s.", example=_price_example(currency)))
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    exponent = number.as_tuple().exponent if number.is_finite() else 0
    if not number.is_finite() or number.adjusted() > 9 or not isinstance(exponent, int):
        row.error(key, _("Enter a price, e.g. %(example)s.", example=_price_example(currency)))
        return None
    if number < 0:
        row.error(key, _("A price cannot be negative."))
        return None
    places = minor_units(currency)
    # "1500.0000" is fine; "99.999" is not.
    if -exponent > places and number.quantize(Decimal(1).scaleb(-places)) != number:
        row.error(key, ngettext("Use at most %(num)s decimal place.",
                                "Use at most %(num)s decimal places.", places)
                  if places else _("%(currency)s amounts have no decimals.", currency=currency))
        return None
    amount = Money.from_decimal(number, currency).amount
    if amount > MAX_AMOUNT:
        row.error(key, _("Enter an amount up to %(max)s.",
                         max=f"{Money(MAX_AMOUNT, currency).to_decimal():f}"))
        return None
    return amount


def _whole(row: _Row, key: str, message: Callable[[], str]) -> int | None:
    text = to_ascii_digits(row.get(key)).replace(",", "")
    if not text:
        return None
    if text.endswith(".0"):  # spreadsheets like to write 12 as 12.0
        text = text[:-2]
    # isascii: "²".isdigit() is true but int() refuses it.
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_STOCK:
        row.error(key, message())
        return None
    return int(text)


def _text(row: _Row, key: str, limit: int) -> str:
    value = row.get(key)
    if len(value) > limit:
        row.error(key, _("Use at most %(count)s characters.", count=limit))
    return value


def _description(raw: str) -> str:
    from core.catalog.richtext import sanitize_html

    # Plain text is kept as it is (the storefront turns it into paragraphs).
    return sanitize_html(raw) if _LOOKS_LIKE_HTML.search(raw) else raw


def split_list(text: str) -> list[str]:
    """``"a, b,,a"`` -> ``["a", "b"]``: trimmed, without blanks and repeats."""
    seen: dict[str, None] = {}
    for part in text.split(","):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


def _product_fields(row: _Row, record: ProductRecord, columns: frozenset[str]) -> None:
    values = record.values
    title = _text(row, "title", MAX_TITLE)
    if not title:
        row.error("title", _("Enter the product's title on its first row."))
    values["title"] = title
    if "body" in columns:
        values["description"] = _description(row.get("body"))
    if "tags" in columns:
        tags = ", ".join(split_list(row.get("tags")))
        if len(tags) > MAX_TAGS:
            row.error("tags", _("Use at most %(count)s characters.", count=MAX_TAGS))
        values["tags"] = tags
    if "status" in columns:
        status = row.get("status").casefold() or STATUS_ACTIVE
        if status not in _STATUSES:
            row.error("status", _("Use active or draft."))
        values["status"] = _STATUSES.get(status, STATUS_ACTIVE)
    if "seo_title" in columns:
        values["seo_title"] = _text(row, "seo_title", MAX_SEO_TITLE)
    if "seo_description" in columns:
        values["seo_description"] = _text(row, "seo_description", MAX_SEO_DESCRIPTION)
    if "video_url" in columns:
        video = row.get("video_url")
        if video:
            try:
                parse_video_url(video)
            except VideoUrlError as exc:
                row.error("video_url", str(exc))
        values["video_url"] = video
    if "collections" in columns:
        record.collections = split_list(row.get("collections"))
        for handle in record.collections:
            problem = handle_problem(handle)
            if problem:
                row.error("collections", _("%(handle)s: %(problem)s", handle=handle,
                                           problem=problem))
    names = [row.get(f"option{n}_name") for n in (1, 2, 3)]
    if (names[0].casefold(), row.get("option1_value").casefold()) == _DEFAULT_OPTION:
        names[0] = ""
    while names and not names[-1]:
        names.pop()
    for number, name in enumerate(names, start=1):
        if not name:
            row.error(f"option{number}_name",
                      _("Name this option, or move the next one up (no gaps)."))
        elif "," in name:
            row.error(f"option{number}_name", _("An option name cannot contain a comma."))
        elif len(name) > MAX_OPTION_NAME:
            row.error(f"option{number}_name",
                      _("Use at most %(count)s characters.", count=MAX_OPTION_NAME))
    if len({n.casefold() for n in names}) != len(names):
        row.error("option1_name", _("Each option needs a different name."))
    record.option_names = names


def _variant(row: _Row, record: ProductRecord, currency: str) -> VariantRecord:
    options = ["", "", ""]
    if record.option_names:
        for number in (1, 2, 3):
            key = f"option{number}_value"
            value = row.get(key)
            if number <= len(record.option_names):
                if not value:
                    row.error(key, _("Enter a value for %(option)s.",
                                     option=record.option_names[number - 1]))
                elif len(value) > MAX_OPTION:
                    row.error(key, _("Use at most %(count)s characters.", count=MAX_OPTION))
                options[number - 1] = value
            elif value:
                row.error(key, _("The product has no option %(number)s: name it in Option"
                                 "%(number)s Name on the product's first row.", number=number))
    else:
        for number in (1, 2, 3):
            value = row.get(f"option{number}_value")
            if value and (number, value.casefold()) != (1, _DEFAULT_OPTION[1]):
                row.error(f"option{number}_value",
                          _("The product has no options: name them in Option1 Name etc. "
                            "on the product's first row."))
    sku = _text(row, "sku", MAX_SKU) or None
    price = _amount(row, "price", currency, required=True)
    compare_at = _amount(row, "compare_at", currency, required=False)
    # Messages are made only when needed: gettext per row adds up over 5,000 rows.
    stock = _whole(row, "stock",
                   lambda: _("Enter the number in stock: a whole number, 0 or more."))
    grams = _whole(row, "grams",
                   lambda: _("Enter the weight in grams: a whole number, 0 or more."))
    return VariantRecord(row=row.number, options=(options[0], options[1], options[2]),
                         sku=sku, price=price or 0, compare_at=compare_at or None,
                         stock=stock or 0, grams=grams)


def _image(row: _Row) -> ImageRecord | None:
    src = row.get("image_src")
    if not src:
        if row.has("image_position", "image_alt"):
            row.error("image_src", _("Enter the image's URL, or leave the image columns empty."))
        return None
    if len(src) > MAX_IMAGE_URL:
        row.error("image_src", _("Use at most %(count)s characters.", count=MAX_IMAGE_URL))
    position = _whole(row, "image_position",
                      lambda: _("Enter a whole number: 1 for the first image."))
    return ImageRecord(row=row.number, src=src, position=position,
                       alt=_text(row, "image_alt", MAX_ALT))


def _check_product_row_repeats(row: _Row, record: ProductRecord, first: dict[str, str]) -> None:
    """Product fields on a later row must repeat the first row's (or be empty)."""
    for key in PRODUCT_COLUMNS:
        value = row.get(key)
        if value and value != first.get(key, ""):
            row.error(key, _("Product details belong on the first row of %(handle)s (row "
                             "%(row)s); leave this cell empty.", handle=record.handle,
                             row=record.row))


def parse_products(data: bytes, currency: str,
                   progress: Callable[[int], None] | None = None) -> ParsedFile:
    """Read and check every row of ``data``; raises :class:`CsvFileError` for a bad file.

    ``progress(rows_done)`` is called every few hundred rows.
    """
    positions, unknown, rows = read_table(data)
    columns = frozenset(positions)
    errors: list[RowError] = []
    notes = [RowError(1, name, _("Haat does not use this column; it was ignored."))
             for name in unknown]
    products: dict[str, ProductRecord] = {}
    first_cells: dict[str, dict[str, str]] = {}
    count = 0
    for count, cells in enumerate(rows, start=1):
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
        if not any(cell.strip() for cell in cells):
            continue
        row = _Row(count + 1, cells, positions, errors)
        handle = row.get("handle")
        problem = handle_problem(handle) if handle else _("Every row needs a handle.")
        if problem:
            row.error("handle", problem)
            continue
        record = products.get(handle)
        if record is None:
            record = products[handle] = ProductRecord(handle=handle, row=row.number)
            first_cells[handle] = {key: row.get(key) for key in PRODUCT_COLUMNS}
            _product_fields(row, record, columns)
            record.variants.append(_variant(row, record, currency))
        else:
            _check_product_row_repeats(row, record, first_cells[handle])
            if row.has(*VARIANT_COLUMNS):
                record.variants.append(_variant(row, record, currency))
        record.last_row = row.number
        if "image_src" in columns:
            image = _image(row)
            if image is not None:
                record.images.append(image)
    if progress is not None:
        progress(count)
    _check_duplicates(products.values(), errors)
    errors.sort(key=lambda e: e.row)
    return ParsedFile(columns=columns, products=list(products.values()), errors=errors,
                      notes=notes, rows=count)


def _check_duplicates(records: Iterable[ProductRecord], errors: list[RowError]) -> None:
    skus: dict[str, int] = {}
    for record in records:
        combos: dict[tuple[str, str, str], int] = {}
        stock = 0
        for number, variant in enumerate(record.variants, start=1):
            if number == MAX_VARIANTS + 1:
                errors.append(RowError(variant.row, COLUMNS["option1_value"], _(
                    "A product can have at most %(count)s variants.", count=MAX_VARIANTS)))
            stock += variant.stock
            if stock > MAX_STOCK >= stock - variant.stock:
                errors.append(RowError(variant.row, COLUMNS["stock"], _(
                    "The variants of %(handle)s hold more than %(count)s in stock together.",
                    handle=record.handle, count=f"{MAX_STOCK:,}")))
            key = tuple(o.casefold() for o in variant.options)
            if key in combos:
                message = (_("Row %(row)s already has this combination of options.",
                             row=combos[key]) if record.option_names
                           else _("A product without options has one row with a price "
                                  "(row %(row)s); name its options to add variants.",
                                  row=combos[key]))
                errors.append(RowError(variant.row, COLUMNS["option1_value"], message))
            else:
                combos[key] = variant.row  # type: ignore[index]
            if variant.sku:
                if variant.sku in skus:
                    errors.append(RowError(variant.row, COLUMNS["sku"], _(
                        "SKU %(sku)s is also on row %(row)s; each variant needs its own.",
                        sku=variant.sku, row=skus[variant.sku])))
                else:
                    skus[variant.sku] = variant.row


# ------------------------------------------------------------------------ writing


def _decimal(amount: int | None, currency: str) -> str:
    if amount is None:
        return ""
    return f"{Money(amount, currency).to_decimal():f}"


def product_rows(product: Product, currency: str,
                 media_url: Callable[[str], str]) -> Iterator[list[str]]:
    """The rows of one product (load ``variants``, ``images`` and ``memberships`` first)."""
    names = product.option_labels
    head = {
        "handle": product.handle, "title": product.title, "body": product.description,
        "tags": product.tags, "status": product.status, "seo_title": product.seo_title,
        "seo_description": product.seo_description, "video_url": product.video_url,
        "collections": ", ".join(m.collection.handle for m in
                                 sorted(product.memberships, key=lambda m: m.id)),
    }
    for number, name in enumerate(names[:3], start=1):
        head[f"option{number}_name"] = name
    variants: list[dict[str, str]] = []
    if product.variants:
        for variant in product.variants:
            grams = (variant.weight_grams if variant.weight_grams is not None
                     else product.weight_grams)
            variants.append({
                "option1_value": variant.option1, "option2_value": variant.option2,
                "option3_value": variant.option3, "sku": variant.sku or "",
                "price": _decimal(variant.price_amount, currency),
                "compare_at": _decimal(variant.compare_at_amount, currency),
                "stock": str(variant.stock), "grams": str(grams)})
    else:
        variants.append({"sku": product.sku or "",
                         "price": _decimal(product.price_amount, currency),
                         "compare_at": _decimal(product.compare_at_amount, currency),
                         "stock": str(product.stock), "grams": str(product.weight_grams)})
    images = [{"image_src": media_url(image.storage_key), "image_position": str(position),
               "image_alt": image.alt}
              for position, image in enumerate(product.images, start=1)]
    for index in range(max(len(variants), len(images))):
        cells = {"handle": product.handle}
        if index == 0:
            cells.update(head)
        if index < len(variants):
            cells.update(variants[index])
        if index < len(images):
            cells.update(images[index])
        yield [cells.get(key, "") for key in COLUMNS]


def header_row() -> list[str]:
    """The column names, as an export's first row."""
    return list(COLUMNS.values())


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: str) -> str:
    """``=HYPERLINK(...)`` is written as ``'=HYPERLINK(...)``, which spreadsheets show as
    text; :func:`unguard_cell` takes the quote off again on import."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def unguard_cell(value: str) -> str:
    """The cell as the merchant meant it: an export's guard quote removed."""
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_STARTS) else value


def to_csv(rows: Iterable[list[str]]) -> bytes:
    """UTF-8 with a byte order mark, so Excel shows Bengali and Armenian text correctly."""
    return b"".join(iter_csv(rows))


def iter_csv(rows: Iterable[list[str]], *, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The bytes of :func:`to_csv` in pieces: the byte order mark and header first, then
    ``rows_per_chunk`` rows at a time, so a response can stream a file of any size while
    holding only one piece."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header_row())
    yield buffer.getvalue().encode("utf-8-sig")
    pending = 0
    for row in rows:
        if pending == 0:
            buffer.seek(0)
            buffer.truncate()
        writer.writerow([guard_cell(cell) for cell in row])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8")


def template_csv(currency: str) -> bytes:
    """A small example file: a product with two sizes and one without options."""
    price = "1500.00" if minor_units(currency) else "1500"
    examples = [
        {"handle": "nakshi-kantha", "title": "Nakshi kantha", "body": "<p>Hand-stitched.</p>",
         "tags": "handmade, cotton", "status": "active", "option1_name": "Size",
         "option1_value": "Single", "sku": "KANTHA-S", "price": price, "stock": "5",
         "grams": "900", "collections": "bedding", "seo_title": "Nakshi kantha quilt"},
        {"handle": "nakshi-kantha", "option1_value": "Double", "sku": "KANTHA-D",
         "price": price, "compare_at": price, "stock": "3", "grams": "1400"},
        {"handle": "clay-pot", "title": "Clay pot", "status": "draft", "sku": "POT-1",
         "price": price, "stock": "12", "grams": "600"},
    ]
    return to_csv([[example.get(key, "") for key in COLUMNS] for example in examples])


#: Products read per query of :func:`export_rows` (each batch costs five queries).
EXPORT_BATCH_SIZE = 500


def export_rows(currency: str, media_url: Callable[[str], str], *, status: str | None = None,
                batch_size: int | None = None) -> Iterator[list[str]]:
    """Every product of the store in scope (or those with ``status``), oldest first.

    Reads in keyset batches by id, so a batch costs the same at the start and the end,
    with its variants, images and collections in one query each (never one per product).
    Each batch leaves the session once written, so memory stays flat however many
    products the store has.
    """
    batch_size = batch_size or EXPORT_BATCH_SIZE
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from core.catalog.models import CollectionProduct
    from core.db import db

    last_id = 0
    while True:
        query = (select(Product).where(Product.id > last_id).order_by(Product.id)
                 .limit(batch_size).options(
                     selectinload(Product.variants), selectinload(Product.images),
                     selectinload(Product.memberships).selectinload(CollectionProduct.collection)))
        if status:
            query = query.where(Product.status == status)
        batch = db.session.scalars(query).all()
        if not batch:
            return
        for product in batch:
            yield from product_rows(product, currency, media_url)
        last_id = batch[-1].id
        for product in batch:  # read-only: forget them (cascades to variants, images…)
            db.session.expunge(product)
