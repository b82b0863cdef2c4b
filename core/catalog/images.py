"""Responsive product images: validate an upload, then store a clean original and renditions.

An upload is checked (size, format, pixel count read from the header before anything is
decoded, that it decodes completely), turned upright
from its EXIF orientation, converted to sRGB and stripped of all metadata (EXIF holds GPS
positions and camera serial numbers). We store a re-encoded original plus, for each width in
``RENDITION_WIDTHS`` that is not wider than the original, one WebP and one JPEG/PNG copy, so
templates can offer ``<picture>`` with ``srcset``::

    <stem>.jpg           the original (``<stem>.png`` when it has transparency)
    <stem>-320.webp      a rendition 320 pixels wide
    <stem>-320.jpg       the same rendition for browsers without WebP

Nothing is written to storage unless every file could be produced.

Two ways to store: :func:`store_image` does everything at once (theme images, imports,
which already run in a job); :func:`store_upload` only checks the upload and keeps it
privately, and :func:`finish_upload` (run by a job, :mod:`core.catalog.image_jobs`) makes
the clean original and renditions later, so a product save never holds a worker for the
resizing of a dozen large photos.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask import current_app, has_app_context
from flask_babel import Domain
from PIL import Image, ImageCms, ImageFile, ImageOps

from core.storage import Storage, private_key

RENDITION_WIDTHS: tuple[int, ...] = (160, 320, 480, 640, 960, 1280)
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Default pixel limit (``HAAT_MAX_IMAGE_PIXELS``), read from the header before decoding.
#: 50 MP lets through a 48 MP phone photo (8000 x 6000) and a 50 MP one (8160 x 6120);
#: decoded as RGBA it is about 200 MB, which is what one upload may cost a worker.
MAX_PIXELS = 50_000_000
_ORIENTATION = 0x0112
#: EXIF orientations that turn the picture a quarter (width and height swap).
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
#: A complete PNG ends with this chunk (length 0, "IEND", its CRC). Pillow's verify()
#: stops at the chunk's name, so a file cut inside its last bytes would pass.
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"

# Pillow names of the formats we accept. Many phone JPEGs hold several pictures
# (a multi-picture file) and Pillow reports those as "MPO".
_OPEN_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
_ACCEPTED_FORMATS = frozenset({*_OPEN_FORMATS, "MPO"})

_STEM = re.compile(r"[a-z0-9_-]+(?:/[a-z0-9_-]+)*")
_STEM_MAX = 200

_JPEG_OPTIONS = {"quality": 85, "progressive": True, "optimize": True}
_PNG_OPTIONS = {"optimize": True}
# method 6 compresses a little better but takes several times longer than 4.
_WEBP_OPTIONS = {"quality": 80, "method": 4}


#: Why a photo was refused, in the shoppers' catalogue ("messages"), whichever catalogue
#: the page uses: a merchant's product editor and a shopper's review form say the same.
lazy_gettext = Domain(domain="messages").lazy_gettext


class ImageRejected(ValueError):
    """The upload cannot be used; ``str()`` is a message to show the merchant or shopper,
    in the language of the moment."""


def configured_max_pixels() -> int:
    """``HAAT_MAX_IMAGE_PIXELS`` of the current app, else :data:`MAX_PIXELS`."""
    if has_app_context():
        return int(current_app.config.get("HAAT_MAX_IMAGE_PIXELS", MAX_PIXELS))
    return MAX_PIXELS


def configure_pillow(max_pixels: int) -> None:
    """Make Pillow itself refuse decompression bombs and truncated files, process-wide.

    ``Image.open`` raises ``DecompressionBombError`` above twice ``MAX_IMAGE_PIXELS``
    (and warns above it), so anything a header claims beyond our own limit is refused
    even by code that forgets to check. Truncated images must never load as grey.
    """
    Image.MAX_IMAGE_PIXELS = max_pixels
    ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclass(frozen=True)
class StoredImage:
    """A stored product image.

    ``widths`` are the rendition widths written, ascending; never empty.
    """

    storage_key: str
    width: int
    height: int
    widths: tuple[int, ...]


def store_image(
    storage: Storage,
    tenant_id: int,
    data: bytes,
    *,
    stem: str,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_pixels: int | None = None,
) -> StoredImage:
    """Validate ``data`` and store the original and its renditions under ``stem``, now.

    ``stem`` is a storage-relative path without extension, such as
    ``products/blue-kantha-3f2a``. Raises ``ValueError`` for a bad stem and
    ``ImageRejected`` for an unusable upload; in both cases nothing is written.
    ``max_pixels`` defaults to ``HAAT_MAX_IMAGE_PIXELS``.
    """
    _check_stem(stem)
    image = _decode(data, max_bytes=max_bytes, max_pixels=_limit(max_pixels))
    image = _clean(image)
    ext = "png" if image.mode == "RGBA" else "jpg"
    return _write_all(storage, tenant_id, image, f"{stem}.{ext}")


def store_upload(
    storage: Storage,
    tenant_id: int,
    data: bytes,
    *,
    stem: str,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_pixels: int | None = None,
) -> StoredImage:
    """Validate ``data`` as :func:`store_image` does, but only keep the upload, privately.

    The returned ``storage_key`` is where :func:`finish_upload` will write the clean
    original; ``width``, ``height`` and ``widths`` are what it will produce (the size
    turned upright by the EXIF orientation). Nothing public exists until then.
    """
    _check_stem(stem)
    checked = _decode(data, max_bytes=max_bytes, max_pixels=_limit(max_pixels), quick=True)
    ext = "png" if _may_have_alpha(checked) else "jpg"
    with Image.open(io.BytesIO(data)) as header:  # reads the header only
        if checked.format == "PNG" and "exif" not in checked.info:
            # Pillow would decode the whole PNG to look for an EXIF chunk after the
            # pixels; the job reads the true upright size and writes it to the rows.
            width, height = header.size
        else:
            width, height = _upright_size(checked, header.size)
    key = f"{stem}.{ext}"
    storage.save(tenant_id, private_key(key), data)
    return StoredImage(key, width, height, _widths(width))


def upload_waiting(storage: Storage, tenant_id: int, storage_key: str) -> bool:
    """True while the upload for ``storage_key`` has not been turned into files yet."""
    return storage.path(tenant_id, private_key(storage_key)).is_file()


def finish_upload(storage: Storage, tenant_id: int, storage_key: str) -> StoredImage | None:
    """Make the clean original and renditions of an upload kept by :func:`store_upload`.

    Returns ``None`` when no upload waits under ``storage_key`` (done already, or the
    image was deleted meanwhile). The upload is removed once every file is written.
    """
    if not upload_waiting(storage, tenant_id, storage_key):
        return None
    upload = private_key(storage_key)
    data = storage.path(tenant_id, upload).read_bytes()
    # It passed the checks when it was uploaded; a limit lowered since still applies.
    image = _clean(_decode(data, max_bytes=len(data), max_pixels=configured_max_pixels()))
    if storage_key.endswith(".jpg") and image.mode == "RGBA":
        image = image.convert("RGB")  # the key promised a JPEG (no transparency)
    stored = _write_all(storage, tenant_id, image, storage_key)
    _delete_quietly(storage, tenant_id, upload)
    return stored


def _limit(max_pixels: int | None) -> int:
    return configured_max_pixels() if max_pixels is None else max_pixels


def _widths(width: int) -> tuple[int, ...]:
    return tuple(w for w in RENDITION_WIDTHS if w <= width) or (width,)


def _write_all(storage: Storage, tenant_id: int, image: Image.Image,
               storage_key: str) -> StoredImage:
    """Encode the original and every rendition, then write them all (or none)."""
    stem, _dot, ext = storage_key.rpartition(".")
    width, height = image.size
    widths = _widths(width)

    # Encode everything before the first write, so a failure leaves no partial set.
    files: dict[str, bytes] = {storage_key: _encode(image, ext)}
    for w in widths:
        small = image
        if w != width:
            size = (w, max(1, round(height * w / width)))
            small = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        files[f"{stem}-{w}.webp"] = _encode(small, "webp")
        files[f"{stem}-{w}.{ext}"] = _encode(small, ext)

    written: list[str] = []
    try:
        for key, blob in files.items():
            written.append(storage.save(tenant_id, key, blob))
    except BaseException:
        for key in written:
            _delete_quietly(storage, tenant_id, key)
        raise
    return StoredImage(storage_key, width, height, widths)


#: A key whose last part is a plain name with one extension (``products/a-b.jpg``), whose
#: ``PurePosixPath(...).suffix`` is the extension.
_SIMPLE_KEY = re.compile(r"(?:[\w-]+/)*[\w-]+(\.\w+)\Z")


def rendition_key(storage_key: str, width: int, fmt: str) -> str:
    """The key of the ``width`` rendition of the original at ``storage_key``.

    ``fmt`` is ``"webp"`` or ``"original"`` (the original's own format):
    ``rendition_key("products/a.jpg", 320, "webp") == "products/a-320.webp"``.
    """
    simple = _SIMPLE_KEY.match(storage_key)
    # A page names dozens of renditions: skip pathlib for the keys Haat writes.
    suffix = simple.group(1) if simple else PurePosixPath(storage_key).suffix
    if not suffix:
        raise ValueError(f"storage key has no extension: {storage_key!r}")
    if fmt == "webp":
        ext = ".webp"
    elif fmt == "original":
        ext = suffix
    else:
        raise ValueError(f"unknown rendition format: {fmt!r}")
    if width < 1:
        raise ValueError(f"width must be positive: {width}")
    return f"{storage_key[: -len(suffix)]}-{int(width)}{ext}"


def srcset(
    storage_key: str, widths: Sequence[int], fmt: str, url_for_key: Callable[[str], str]
) -> str:
    """A ``srcset`` value such as ``"/m/a-160.webp 160w, /m/a-320.webp 320w"``.

    ``url_for_key`` turns a storage key into a URL. Empty ``widths`` gives ``""``.
    """
    return ", ".join(
        f"{url_for_key(rendition_key(storage_key, w, fmt))} {w}w" for w in sorted(set(widths))
    )


def delete_image(
    storage: Storage, tenant_id: int, storage_key: str, widths: Sequence[int]
) -> None:
    """Remove the original at ``storage_key``, all its renditions and an upload still
    waiting for them; missing files are fine."""
    _delete_quietly(storage, tenant_id, private_key(storage_key))
    _delete_quietly(storage, tenant_id, storage_key)
    for w in widths:
        for fmt in ("webp", "original"):
            _delete_quietly(storage, tenant_id, rendition_key(storage_key, w, fmt))


def _check_stem(stem: str) -> None:
    if len(stem) > _STEM_MAX or not _STEM.fullmatch(stem):
        raise ValueError(f"invalid image stem: {stem!r}")


def _decode(data: bytes, *, max_bytes: int, max_pixels: int,
            quick: bool = False) -> Image.Image:
    """Open, verify and fully decode ``data``; raise ``ImageRejected`` on any problem.

    The pixel count comes from the header (``Image.open`` reads no pixel data), so an
    image above ``max_pixels`` is refused before any decoding. ``quick`` decodes a JPEG
    at an eighth of its size: every byte is still read (a truncated file still fails)
    but the check costs a fraction; a PNG it does not decode at all (every chunk's CRC
    and the end chunk are checked); only for checking, never for storing.
    """
    not_usable = ImageRejected(
        lazy_gettext("This file is not an image Haat can use (JPEG, PNG, WebP or GIF).")
    )
    damaged = ImageRejected(lazy_gettext(
        "The image file is damaged or incomplete. Please save it again and upload it."))
    if not data:
        raise ImageRejected(lazy_gettext("The file is empty."))
    if len(data) > max_bytes:
        raise ImageRejected(lazy_gettext("The image is larger than %(size)s.",
                                         size=_megabytes(max_bytes)))
    too_big = ImageRejected(lazy_gettext(
        "The image has too many pixels (at most %(megapixels)s megapixels). "
        "Please make it smaller and upload it again.",
        megapixels=f"{max_pixels / 1_000_000:.3g}"))
    try:
        # verify() checks structure (PNG checksums, for example) but leaves the image
        # unusable, so the file is opened a second time to decode it.
        with Image.open(io.BytesIO(data), formats=_OPEN_FORMATS) as probe:
            if probe.format not in _ACCEPTED_FORMATS:
                raise not_usable
            if probe.width * probe.height > max_pixels:
                raise too_big
            if probe.format == "PNG" and _PNG_END not in data[-4096:]:
                raise damaged  # cut off before its end chunk was complete
            probe.verify()
        image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
        if quick and image.format == "PNG":
            # verify() above read every chunk and checked its CRC, and the end chunk is
            # whole: decoding 50 megapixels is left to the job, not the request.
            return image
        if quick and image.format in ("JPEG", "MPO"):
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()  # raises on truncated data (LOAD_TRUNCATED_IMAGES is False)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_big from exc  # beyond Pillow's own (process-wide) limit
    except Image.UnidentifiedImageError as exc:
        raise not_usable from exc
    except Exception as exc:  # Pillow decoders raise many types on hostile input
        raise damaged from exc
    return image


def _upright_size(image: Image.Image, size: tuple[int, int]) -> tuple[int, int]:
    """The size :func:`_clean` will give ``image`` (``size`` as its header says; a JPEG
    checked quickly is decoded smaller): a quarter-turn EXIF orientation swaps it."""
    width, height = size
    orientation = image.getexif().get(_ORIENTATION)
    return (height, width) if orientation in _QUARTER_TURNS else (width, height)


def _has_alpha(image: Image.Image) -> bool:
    """Whether :func:`_clean` keeps an alpha channel (the original is then a PNG)."""
    if image.format in ("JPEG", "MPO"):
        return False
    return _normalise_mode(image).mode == "RGBA"


def _may_have_alpha(image: Image.Image) -> bool:
    """:func:`_has_alpha` without decoding a PNG checked quickly: any PNG that can hold
    transparency stays a PNG (one whose alpha is opaque everywhere too)."""
    if image.format == "PNG":  # checked quickly, so never decoded here
        return image.mode in ("RGBA", "LA", "PA", "La") or "transparency" in image.info
    return _has_alpha(image)


def _clean(image: Image.Image) -> Image.Image:
    """Upright, sRGB, RGB or RGBA, and without any metadata."""
    image = ImageOps.exif_transpose(image)
    image = _to_srgb(_normalise_mode(image, opaque_check=False))
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")  # CMYK without a usable profile
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")  # an alpha channel that is opaque everywhere
    # A fresh image carries no info dict, EXIF, ICC profile, comments or XMP.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _normalise_mode(image: Image.Image, *, opaque_check: bool = True) -> Image.Image:
    """RGB, RGBA or CMYK; with ``opaque_check``, an alpha that hides nothing is dropped."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        # 16-bit greyscale PNG; a plain convert() would clip everything above 255 to white.
        image = image.convert("I").point(lambda v: v / 256).convert("L")
    if image.mode not in ("RGB", "RGBA", "CMYK") or "transparency" in image.info:
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    if opaque_check and image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert from an embedded ICC profile (Display P3, Adobe RGB, CMYK) to sRGB.

    Browsers assume sRGB for untagged images, so dropping the profile without converting
    would shift colours. Images without a usable profile are returned unchanged.
    """
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        return ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(icc)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _encode(image: Image.Image, ext: str) -> bytes:
    buffer = io.BytesIO()
    if ext == "webp":
        image.save(buffer, format="WEBP", **_WEBP_OPTIONS)
    elif ext == "png":
        image.save(buffer, format="PNG", **_PNG_OPTIONS)
    else:
        image.save(buffer, format="JPEG", **_JPEG_OPTIONS)
    return buffer.getvalue()


def _delete_quietly(storage: Storage, tenant_id: int, key: str) -> None:
    # LocalStorage ignores missing files already; other backends may not.
    with contextlib.suppress(FileNotFoundError):
        storage.delete(tenant_id, key)


def _megabytes(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.3g} MB"
    return f"{n / 1024:.3g} KB"
