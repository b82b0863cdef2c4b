"""The product form as the merchant typed it, its helper buttons (add a variant row,
make every combination) and the checks that turn it into
:class:`~core.catalog.editing.ProductValues`.

Everything is kept as typed text (``ProductForm.data`` and the variant rows) so a form
with mistakes comes back exactly as it was sent, with a message next to each field.
Field names in the page: ``title``, ``price``…, ``option1_name``…, ``variant-<n>-price``…
(``variant-<n>-image`` is the variant's photo: an image id, or ``s<id>`` for a staged
one), ``image-<id>-alt``/``image-<id>-position`` for the saved images and
``staged-<id>-alt``/``staged-<id>-position`` for photos chosen but not saved yet
(:mod:`core.catalog.staging`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from core.admin.listing import InputError, parse_amount
from core.catalog.editing import (
    MAX_OPTIONS,
    MAX_VARIANTS,
    ImageChange,
    ProductValues,
    StagedChoice,
    VariantValues,
    clean_description,
    handle_taken,
    join_tags,
    taken_skus,
)
from core.catalog.handles import handle_problem
from core.catalog.models import STATUS_ACTIVE, STATUS_DRAFT, Product, StagedImage
from core.catalog.video import VideoUrlError, parse_video_url
from core.i18n import to_ascii_digits
from core.money import Money
from core.web.templating import digits_filter, ngettext, number_filter

STATUSES = (STATUS_ACTIVE, STATUS_DRAFT)
MAX_TITLE = 200
MAX_SKU = 64
MAX_TAGS = 500
MAX_OPTION_NAME = 50
MAX_OPTION_VALUE = 100
MAX_ALT = 300
MAX_DESCRIPTION = 100_000
SEO_TITLE_ADVISED, SEO_TITLE_MAX = 70, 200
SEO_DESCRIPTION_ADVISED, SEO_DESCRIPTION_MAX = 160, 320
#: Amounts are stored as 32-bit integers of minor units.
MAX_AMOUNT = 1_000_000_000
#: Stock and weight (grams) up to a billion.
MAX_WHOLE = 1_000_000_000
#: The most images one product can have (saved and chosen together).
MAX_IMAGES = 30

SIMPLE_FIELDS = ("title", "handle", "description", "price", "compare_at", "sku", "stock",
                 "weight", "tags", "status", "video_url", "seo_title", "seo_description")
VARIANT_FIELDS = ("id", "option1", "option2", "option3", "sku", "price", "compare_at",
                  "stock", "weight", "image")
_VARIANT_KEY = re.compile(r"variant-(\d{1,4})-([a-z_0-9]+)")
_IMAGE_KEY = re.compile(r"image-(\d{1,12})-(alt|position)")
_STAGED_KEY = re.compile(r"staged-(\d{1,12})-(alt|position)")
#: A variant's photo as the form sends it: an image's id, or ``s`` and a staged id.
_PHOTO_VALUE = re.compile(r"(s?)(\d{1,12})")


@dataclass
class VariantRow:
    """One row of the variant table, as typed."""

    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(VARIANT_FIELDS, ""))

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def options(self, count: int) -> tuple[str, ...]:
        return tuple(self.get(f"option{i + 1}").strip() for i in range(count))


@dataclass
class ProductForm:
    """The whole form as typed, and what is wrong with it (``errors`` by field name)."""

    data: dict[str, str] = field(default_factory=lambda: dict.fromkeys(SIMPLE_FIELDS, ""))
    collections: set[int] = field(default_factory=set)
    option_names: list[str] = field(default_factory=lambda: [""] * MAX_OPTIONS)
    option_values: list[str] = field(default_factory=lambda: [""] * MAX_OPTIONS)
    variants: list[VariantRow] = field(default_factory=list)
    images: dict[int, dict[str, str]] = field(default_factory=dict)
    #: Photos chosen but not saved yet, by staged id: their typed alt text and position.
    staged: dict[int, dict[str, str]] = field(default_factory=dict)
    #: The staged images of ``staged`` that the store still has (set by the view).
    staged_rows: dict[int, StagedImage] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    #: One message per rejected upload, shown next to the upload field.
    upload_errors: list[str] = field(default_factory=list)
    #: Something to tell the merchant after a helper button (not an error).
    notice: str = ""

    def value(self, name: str) -> str:
        return self.data.get(name, "")

    def error(self, name: str) -> str:
        return self.errors.get(name, "")

    @property
    def option_count(self) -> int:
        """How many option columns the variant table shows (named options, at least 1)."""
        named = [i for i, name in enumerate(self.option_names) if name.strip()]
        return max(1, (named[-1] + 1) if named else 1)

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.upload_errors)

    @property
    def has_options(self) -> bool:
        """True when the first option is named: only then is there a variant table."""
        return bool(self.option_names[0].strip())


# ------------------------------------------------------------- building forms


def amount_text(amount: int | None, currency: str) -> str:
    """Minor units as the merchant types the amount: 150000 BDT -> ``1500.00``."""
    return "" if amount is None else str(Money(amount, currency).to_decimal())


def new_form() -> ProductForm:
    """The form for a new product: active, stock 0."""
    form = ProductForm()
    form.data.update(status=STATUS_ACTIVE, stock="0")
    return form


def form_from_product(product: Product, currency: str) -> ProductForm:
    """The form filled with a product's saved values."""
    form = ProductForm()
    form.data.update(
        title=product.title, handle=product.handle, description=product.description,
        price=amount_text(product.price_amount, currency),
        compare_at=amount_text(product.compare_at_amount, currency),
        sku=product.sku or "", stock=str(product.stock), weight=str(product.weight_grams or 0),
        tags=product.tags, status=product.status, video_url=product.video_url,
        seo_title=product.seo_title, seo_description=product.seo_description)
    form.collections = {m.collection_id for m in product.memberships}
    for index, name in enumerate(product.option_labels[:MAX_OPTIONS]):
        form.option_names[index] = name
    for variant in product.variants:
        form.variants.append(VariantRow({
            "id": str(variant.id), "option1": variant.option1, "option2": variant.option2,
            "option3": variant.option3, "sku": variant.sku or "",
            "price": amount_text(variant.price_amount, currency),
            "compare_at": amount_text(variant.compare_at_amount, currency),
            "stock": str(variant.stock),
            "weight": "" if variant.weight_grams is None else str(variant.weight_grams),
            "image": "" if variant.image_id is None else str(variant.image_id)}))
    for index, name in enumerate(form.option_names):
        if name:
            values = dict.fromkeys(row.get(f"option{index + 1}") for row in form.variants)
            form.option_values[index] = ", ".join(v for v in values if v)
    form.images = {image.id: {"alt": image.alt, "position": str(image.position + 1)}
                   for image in product.images}
    return form


def form_from_post(formdata: Any) -> ProductForm:
    """The form as posted (``formdata`` is a werkzeug ``MultiDict``)."""
    form = ProductForm()
    for name in SIMPLE_FIELDS:
        form.data[name] = formdata.get(name, "")
    form.collections = {int(v) for v in formdata.getlist("collections")
                        if v.isascii() and v.isdigit() and len(v) < 12}
    for index in range(MAX_OPTIONS):
        form.option_names[index] = formdata.get(f"option{index + 1}_name", "")
        form.option_values[index] = formdata.get(f"option{index + 1}_values", "")
    rows: dict[int, VariantRow] = {}
    images: dict[int, dict[str, str]] = {}
    staged: dict[int, dict[str, str]] = {}
    for key in formdata:
        if (match := _VARIANT_KEY.fullmatch(key)) and match[2] in VARIANT_FIELDS:
            rows.setdefault(int(match[1]), VariantRow()).values[match[2]] = formdata.get(key, "")
        elif match := _IMAGE_KEY.fullmatch(key):
            images.setdefault(int(match[1]), {})[match[2]] = formdata.get(key, "")
        elif match := _STAGED_KEY.fullmatch(key):
            staged.setdefault(int(match[1]), {})[match[2]] = formdata.get(key, "")
    form.variants = [rows[index] for index in sorted(rows)]
    form.images = images
    form.staged = staged
    return form


# ------------------------------------------------------------- helper buttons


def add_variant_row(form: ProductForm) -> None:
    """One more empty row, priced like the product (once the first option is named)."""
    if not form.has_options:
        form.errors["option1_name"] = _("Name the first option, e.g. Size.")
        return
    if len(form.variants) >= MAX_VARIANTS:
        form.errors["variants"] = _("A product can have at most %(n)s variants.",
                                    n=number_filter(MAX_VARIANTS))
        return
    row = VariantRow()
    row.values.update(price=form.value("price"), stock="0")
    form.variants.append(row)


def remove_variant_row(form: ProductForm, index: int) -> None:
    """Drop a row from the table (the variant is deleted when the form is saved)."""
    if 0 <= index < len(form.variants):
        del form.variants[index]


def split_values(text: str) -> list[str]:
    """``"S, M ,, m, L"`` -> ``["S", "M", "L"]``: trimmed, repeats dropped."""
    seen: set[str] = set()
    values = []
    for value in text.split(","):
        value = " ".join(value.split())
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            values.append(value)
    return values


def make_combinations(form: ProductForm) -> None:
    """One row per combination of the listed option values (Size: S, M, L × Colour:
    Red, Blue gives six). Rows that already have a combination keep their SKU, price
    and stock; rows for other combinations are dropped from the table."""
    names = [name.strip() for name in form.option_names]
    lists: list[list[str]] = []
    for index, name in enumerate(names):
        if not name:
            continue
        values = split_values(form.option_values[index])
        if not values:
            form.errors[f"option{index + 1}_values"] = _(
                "List the values of %(name)s, separated by commas, e.g. S, M, L.", name=name)
        elif any(len(v) > MAX_OPTION_VALUE for v in values):
            form.errors[f"option{index + 1}_values"] = _(
                "Use at most %(n)s characters for each value.", n=number_filter(MAX_OPTION_VALUE))
        lists.append(values)
    if not lists:
        form.errors["option1_name"] = _("Name the first option, e.g. Size.")
    if _option_name_errors(form, names) or form.errors:
        return
    count = 1
    for values in lists:
        count *= len(values)
    if count > MAX_VARIANTS:
        form.errors["variants"] = _(
            "These values make %(count)s combinations; a product can have at most %(n)s.",
            count=number_filter(count), n=number_filter(MAX_VARIANTS))
        return
    width = len(lists)
    existing = {tuple(v.casefold() for v in row.options(width)): row for row in form.variants}
    rows = []
    for combination in itertools.product(*lists):
        key = tuple(v.casefold() for v in combination)
        row = existing.pop(key, None)
        if row is None:
            row = VariantRow()
            row.values.update(price=form.value("price"), stock="0")
        for index, value in enumerate(combination):
            row.values[f"option{index + 1}"] = value
        rows.append(row)
    dropped = len(existing)
    form.variants = rows
    form.notice = ngettext("The table now has one row per combination (%(num)s row). "
                           "Nothing is saved until you press Save.",
                           "The table now has one row per combination (%(num)s rows). "
                           "Nothing is saved until you press Save.", len(rows))
    if dropped:
        form.notice += " " + ngettext(
            "%(num)s row with another combination was taken out.",
            "%(num)s rows with other combinations were taken out.", dropped)


# ------------------------------------------------------------------- checking


def _whole(text: str, *, empty: int | None) -> int | None:
    """A whole number typed in any digits (``৪`` is 4); ``empty`` when nothing is typed."""
    text = to_ascii_digits(text.strip())
    if not text:
        return empty
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_WHOLE:
        raise InputError(_("Enter a whole number of 0 or more, e.g. 12."))
    return int(text)


def _amount(text: str, currency: str, *, required: bool) -> int | None:
    money = parse_amount(text, currency)  # its InputError says what to type
    if money is None:
        if required:
            raise InputError(_("Enter a price."))
        return None
    if money.amount < 0:
        raise InputError(_("Enter an amount of 0 or more."))
    if money.amount > MAX_AMOUNT:
        raise InputError(_("Enter an amount up to %(max)s.",
                           max=digits_filter(amount_text(MAX_AMOUNT, currency))))
    return money.amount


def _option_name_errors(form: ProductForm, names: list[str]) -> bool:
    found = False
    seen: set[str] = set()
    for index, name in enumerate(names):
        key = f"option{index + 1}_name"
        if not name:
            continue
        problem = ""
        if any(not earlier for earlier in names[:index]):
            problem = _("Fill in the options in order: option %(n)s is empty.",
                        n=number_filter(names[:index].index("") + 1))
        elif "," in name:
            problem = _("An option name cannot contain a comma.")
        elif len(name) > MAX_OPTION_NAME:
            problem = _("Use at most %(n)s characters.", n=number_filter(MAX_OPTION_NAME))
        elif name.casefold() in seen:
            problem = _("Each option needs a different name.")
        seen.add(name.casefold())
        if problem:
            form.errors[key] = problem
            found = True
    return found


def _check_variants(form: ProductForm, names: list[str], currency: str,
                    existing_ids: Collection[int], photo_ids: Collection[int],
                    staged_ids: Collection[int]) -> list[VariantValues]:
    """Check every row; errors go to ``variant-<n>-<field>``. A variant's photo must be
    one of ``photo_ids`` (the product's images) or ``staged_ids`` (chosen with it)."""
    width = len([n for n in names if n])
    rows: list[VariantValues] = []
    combinations: dict[tuple[str, ...], int] = {}
    used_ids: set[int] = set()
    if len(form.variants) > MAX_VARIANTS:
        form.errors["variants"] = _("A product can have at most %(n)s variants.",
                                    n=number_filter(MAX_VARIANTS))
    total_stock = 0
    for number, row in enumerate(form.variants):
        def fail(name: str, message: str, number: int = number) -> None:
            form.errors.setdefault(f"variant-{number}-{name}", message)

        options = row.options(width)
        for index, value in enumerate(options):
            if not value:
                fail(f"option{index + 1}", _("Enter the %(name)s.", name=names[index]))
            elif len(value) > MAX_OPTION_VALUE:
                fail(f"option{index + 1}", _("Use at most %(n)s characters.",
                                             n=number_filter(MAX_OPTION_VALUE)))
        key = tuple(v.casefold() for v in options)
        if all(options) and key in combinations:
            fail("option1", _("Row %(n)s already has this combination.",
                              n=number_filter(combinations[key] + 1)))
        combinations.setdefault(key, number)
        sku = row.get("sku").strip()
        if len(sku) > MAX_SKU:
            fail("sku", _("Use at most %(n)s characters.", n=number_filter(MAX_SKU)))
        values: dict[str, Any] = {}
        for name, parse in (("price", lambda t: _amount(t, currency, required=True)),
                            ("compare_at", lambda t: _amount(t, currency, required=False)),
                            ("stock", lambda t: _whole(t, empty=0)),
                            ("weight", lambda t: _whole(t, empty=None))):
            try:
                values[name] = parse(row.get(name))
            except InputError as exc:
                fail(name, str(exc))
        # The product's stock is the variants' total, stored in the same 32-bit column.
        total_stock += values.get("stock") or 0
        if total_stock > MAX_WHOLE:
            form.errors.setdefault("variants", _(
                "The variants hold more than %(n)s in stock together.", n=number_filter(MAX_WHOLE)))
        if values.get("compare_at") is not None and values.get("price") is not None \
                and values["compare_at"] <= values["price"]:
            fail("compare_at", _("The compare-at price must be higher than the price."))
        raw_id = row.get("id").strip()
        variant_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() and \
            len(raw_id) < 12 else None
        # An id that is not one of this product's variants (or is repeated) is a new row.
        if variant_id not in existing_ids or variant_id in used_ids:
            variant_id = None
        if variant_id is not None:
            used_ids.add(variant_id)
        padded = (*options, "", "", "")[:MAX_OPTIONS]
        image_id = staged_image_id = None
        photo = row.get("image").strip()
        if photo:
            match = _PHOTO_VALUE.fullmatch(photo)
            if match and match[1] and int(match[2]) in staged_ids:
                staged_image_id = int(match[2])
            elif match and not match[1] and int(match[2]) in photo_ids:
                image_id = int(match[2])
            else:  # another product's or store's image, or one deleted meanwhile
                fail("image", _("Choose one of this product's photos."))
        if all(k in values for k in ("price", "compare_at", "stock", "weight")):
            rows.append(VariantValues(
                id=variant_id, options=(padded[0], padded[1], padded[2]),
                sku=sku or None, price=values["price"], compare_at=values["compare_at"],
                stock=values["stock"], weight=values["weight"], image_id=image_id,
                staged_image_id=staged_image_id))
    return rows


def _check_skus(form: ProductForm, product_sku: str, variant_skus: list[str],
                product_id: int | None) -> None:
    """Every SKU once in the form and not used by another product of the store."""
    places: dict[str, str] = {}
    if product_sku:
        places[product_sku] = "sku"
    for number, sku in enumerate(variant_skus):
        if not sku:
            continue
        if sku in places:
            form.errors.setdefault(f"variant-{number}-sku",
                                   _("This SKU is already used above; each SKU must differ."))
        else:
            places[sku] = f"variant-{number}-sku"
    for sku in taken_skus(places, product_id):
        form.errors.setdefault(places[sku], _(
            "Another product already uses the SKU %(sku)s.", sku=sku))


def check_form(form: ProductForm, currency: str, product: Product | None,
               collection_ids: Collection[int]) -> ProductValues | None:
    """The product's values, or ``None`` with each problem in ``form.errors``.

    ``collection_ids`` are the store's collections (others are ignored).
    """
    errors = form.errors
    data = {name: form.value(name) for name in SIMPLE_FIELDS}
    product_id = product.id if product is not None else None

    title = " ".join(data["title"].split())
    if not title:
        errors["title"] = _("Enter a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("Use at most %(n)s characters.", n=number_filter(MAX_TITLE))

    handle = data["handle"].strip()
    if handle:
        problem = handle_problem(handle)
        if problem:
            errors["handle"] = problem
        elif handle_taken(handle, product_id):
            errors["handle"] = _("Another product uses the handle %(handle)s. "
                                 "Choose another, or leave it empty to make one.",
                                 handle=handle)

    description = clean_description(data["description"])
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("Use at most %(n)s characters.", n=number_filter(MAX_DESCRIPTION))

    names = [name.strip() for name in form.option_names]
    has_variants = bool(form.variants)
    if has_variants:
        _option_name_errors(form, names)
        if not names[0]:
            errors["option1_name"] = _("Name the first option, e.g. Size.")
    variants = _check_variants(form, names, currency,
                               {v.id for v in product.variants} if product else (),
                               {i.id for i in product.images} if product else (),
                               set(form.staged) & set(form.staged_rows))

    money: dict[str, Any] = {"price": 0, "compare_at": None, "stock": 0}
    if not has_variants:  # with variants, these come from the variants
        for name, parse in (("price", lambda t: _amount(t, currency, required=True)),
                            ("compare_at", lambda t: _amount(t, currency, required=False)),
                            ("stock", lambda t: _whole(t, empty=0))):
            try:
                money[name] = parse(data[name])
            except InputError as exc:
                errors[name] = str(exc)
        if (money["compare_at"] is not None and "price" not in errors
                and money["compare_at"] <= money["price"]):
            errors["compare_at"] = _("The compare-at price must be higher than the price.")
    weight = 0
    try:
        weight = _whole(data["weight"], empty=0) or 0
    except InputError as exc:
        errors["weight"] = str(exc)

    sku = data["sku"].strip()
    if len(sku) > MAX_SKU:
        errors["sku"] = _("Use at most %(n)s characters.", n=number_filter(MAX_SKU))
    _check_skus(form, sku, [row.get("sku").strip() for row in form.variants], product_id)

    status = data["status"] if data["status"] in STATUSES else ""
    if not status:
        errors["status"] = _("Choose draft or active.")
    tags = join_tags(data["tags"])
    if len(tags) > MAX_TAGS:
        errors["tags"] = _("Use at most %(n)s characters for all tags together.",
                           n=number_filter(MAX_TAGS))

    video_url = data["video_url"].strip()
    if video_url:
        try:
            parse_video_url(video_url)
        except VideoUrlError as exc:
            errors["video_url"] = str(exc)

    seo_title = " ".join(data["seo_title"].split())
    if len(seo_title) > SEO_TITLE_MAX:
        errors["seo_title"] = _("Use at most %(n)s characters.", n=SEO_TITLE_MAX)
    seo_description = " ".join(data["seo_description"].split())
    if len(seo_description) > SEO_DESCRIPTION_MAX:
        errors["seo_description"] = _("Use at most %(n)s characters.", n=SEO_DESCRIPTION_MAX)

    image_changes = _check_images(form, product)
    staged_images = _check_staged(form, len(product.images) if product else 0)
    if form.failed:
        return None
    return ProductValues(
        title=title, handle=handle, description=description, price=money["price"],
        compare_at=money["compare_at"], sku=sku or None, stock=money["stock"], weight=weight,
        status=status, tags=tags, video_url=video_url, seo_title=seo_title,
        seo_description=seo_description,
        option_names=tuple(n for n in names if n) if has_variants else (),
        variants=tuple(variants), collection_ids=frozenset(form.collections) & set(collection_ids),
        image_changes=tuple(image_changes), staged_images=tuple(staged_images))


def _check_images(form: ProductForm, product: Product | None) -> list[ImageChange]:
    if product is None:
        return []
    changes = []
    for image in product.images:
        typed = form.images.get(image.id)
        if typed is None:
            continue
        alt = " ".join(typed.get("alt", "").split())
        if len(alt) > MAX_ALT:
            form.errors[f"image-{image.id}-alt"] = _("Use at most %(n)s characters.",
                                                     n=number_filter(MAX_ALT))
        try:
            position = _whole(typed.get("position", ""), empty=image.position + 1)
        except InputError as exc:
            form.errors[f"image-{image.id}-position"] = str(exc)
            continue
        changes.append(ImageChange(image.id, alt, max(0, (position or 1) - 1)))
    return changes



def _check_staged(form: ProductForm, saved_count: int) -> list[StagedChoice]:
    """The photos chosen but not saved yet that the store still has, with their alt text
    and position (after the saved images when none is typed)."""
    choices = []
    found = [sid for sid in form.staged if sid in form.staged_rows]
    if saved_count + len(found) > MAX_IMAGES:
        form.upload_errors.append(_(
            "A product can have at most %(n)s images; take out %(extra)s.",
            n=number_filter(MAX_IMAGES),
            extra=number_filter(saved_count + len(found) - MAX_IMAGES)))
    for number, staged_id in enumerate(found):
        typed = form.staged[staged_id]
        alt = " ".join(typed.get("alt", "").split())
        if len(alt) > MAX_ALT:
            form.errors[f"staged-{staged_id}-alt"] = _("Use at most %(n)s characters.",
                                                       n=number_filter(MAX_ALT))
        try:
            position = _whole(typed.get("position", ""), empty=saved_count + number + 1)
        except InputError as exc:
            form.errors[f"staged-{staged_id}-position"] = str(exc)
            continue
        choices.append(StagedChoice(staged_id, alt, max(0, (position or 1) - 1)))
    return choices
