"""Product image uploads: validation, clean originals, renditions and their keys."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from core.catalog.images import (
    MAX_PIXELS,
    RENDITION_WIDTHS,
    ImageRejected,
    StoredImage,
    delete_image,
    finish_upload,
    rendition_key,
    srcset,
    store_image,
    store_upload,
)
from core.storage import LocalStorage, private_key

TENANT = 7
ORIENTATION = 0x0112
MAKE = 0x010F


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def noisy(size: tuple[int, int]) -> Image.Image:
    """A picture that does not compress to almost nothing, so truncation hurts."""
    return Image.effect_noise(size, 64).convert("RGB")


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def open_stored(storage: LocalStorage, key: str, tenant: int = TENANT) -> Image.Image:
    image = Image.open(storage.path(tenant, key))
    image.load()
    return image


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path)


def test_jpeg_gets_every_width_up_to_its_own_in_both_formats(storage: LocalStorage) -> None:
    stored = store_image(
        storage, TENANT, encode(noisy((1000, 500)), "JPEG"), stem="products/blue-kantha-3f2a"
    )

    assert stored == StoredImage("products/blue-kantha-3f2a.jpg", 1000, 500,
                                 (160, 320, 480, 640, 960))
    original = open_stored(storage, stored.storage_key)
    assert (original.format, original.size, original.mode) == ("JPEG", (1000, 500), "RGB")
    for w in stored.widths:
        webp_path = storage.path(TENANT, f"products/blue-kantha-3f2a-{w}.webp")
        head = webp_path.read_bytes()[:12]
        assert head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        webp = open_stored(storage, f"products/blue-kantha-3f2a-{w}.webp")
        jpeg = open_stored(storage, f"products/blue-kantha-3f2a-{w}.jpg")
        assert webp.format == "WEBP" and jpeg.format == "JPEG"
        assert webp.size == jpeg.size == (w, w // 2)
    # The original plus two files per width, and nothing wider than the original.
    assert len(files_under(storage.root)) == 1 + 2 * len(stored.widths)
    assert not storage.path(TENANT, "products/blue-kantha-3f2a-1280.webp").exists()


def test_image_exactly_as_wide_as_the_largest_width_keeps_it(storage: LocalStorage) -> None:
    stored = store_image(storage, TENANT, encode(noisy((1280, 720)), "PNG"), stem="p/wide")
    assert stored.widths == RENDITION_WIDTHS
    assert open_stored(storage, "p/wide-1280.jpg").size == (1280, 720)


def test_png_with_alpha_stays_png_with_alpha(storage: LocalStorage) -> None:
    image = Image.new("RGBA", (400, 200), (200, 30, 30, 255))
    image.paste((0, 0, 0, 0), (0, 0, 200, 200))  # left half fully transparent
    stored = store_image(storage, TENANT, encode(image, "PNG"), stem="products/badge")

    assert stored.storage_key == "products/badge.png"
    assert stored.widths == (160, 320)
    original = open_stored(storage, stored.storage_key)
    assert (original.format, original.mode) == ("PNG", "RGBA")
    assert original.getpixel((10, 10))[3] == 0
    assert original.getpixel((390, 10)) == (200, 30, 30, 255)
    for w in stored.widths:
        png = open_stored(storage, f"products/badge-{w}.png")
        webp = open_stored(storage, f"products/badge-{w}.webp")
        assert png.mode == webp.mode == "RGBA"
        assert png.getpixel((1, 1))[3] == 0
        assert webp.getpixel((1, 1))[3] == 0
    assert not storage.path(TENANT, "products/badge.jpg").exists()


def test_opaque_alpha_channel_is_stored_as_jpeg(storage: LocalStorage) -> None:
    image = Image.new("RGBA", (300, 300), (10, 120, 10, 255))
    stored = store_image(storage, TENANT, encode(image, "PNG"), stem="products/opaque")
    assert stored.storage_key == "products/opaque.jpg"


def test_gif_with_transparent_palette_entry_becomes_png(storage: LocalStorage) -> None:
    image = Image.new("P", (200, 100), 0)
    image.putpalette([255, 255, 255, 0, 0, 255] + [0] * 762)
    image.paste(1, (100, 0, 200, 100))
    stored = store_image(storage, TENANT, encode(image, "GIF", transparency=0), stem="p/gif")
    assert stored.storage_key == "p/gif.png"
    original = open_stored(storage, stored.storage_key)
    assert original.mode == "RGBA"
    assert original.getpixel((10, 10))[3] == 0
    assert original.getpixel((150, 50)) == (0, 0, 255, 255)


def test_exif_orientation_is_applied_and_all_metadata_removed(storage: LocalStorage) -> None:
    # Sensor picture 200x100 with a red top-left corner; orientation 6 means "rotate 90°
    # clockwise to view", so the viewer sees 100x200 with the red corner at the top right.
    image = Image.new("RGB", (200, 100), (240, 240, 240))
    image.paste((255, 0, 0), (0, 0, 40, 40))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "SecretCam"
    data = encode(image, "JPEG", exif=exif.tobytes(), quality=95)
    assert Image.open(io.BytesIO(data)).getexif()[ORIENTATION] == 6

    stored = store_image(storage, TENANT, data, stem="products/phone-shot")

    assert (stored.width, stored.height) == (100, 200)
    original = open_stored(storage, stored.storage_key)
    assert original.size == (100, 200)
    red, green, blue = original.getpixel((90, 10))
    assert red > 200 and green < 60 and blue < 60
    assert original.getpixel((10, 10))[1] > 200  # top left is the light background
    for path in files_under(storage.root):
        written = Image.open(path)
        assert not written.getexif(), path
        assert "exif" not in written.info and "icc_profile" not in written.info, path
        assert b"SecretCam" not in path.read_bytes()


def test_icc_profile_is_converted_away(storage: LocalStorage) -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(noisy((300, 300)), "JPEG", icc_profile=profile)
    stored = store_image(storage, TENANT, data, stem="p/icc")
    assert "icc_profile" not in open_stored(storage, stored.storage_key).info


def test_sixteen_bit_greyscale_png_keeps_its_tones(storage: LocalStorage) -> None:
    image = Image.new("I;16", (200, 200), 32768)
    stored = store_image(storage, TENANT, encode(image, "PNG"), stem="p/grey16")
    value = open_stored(storage, stored.storage_key).getpixel((100, 100))
    assert all(120 <= channel <= 136 for channel in value)


def test_multi_picture_jpeg_from_a_phone_is_accepted(storage: LocalStorage) -> None:
    data = encode(noisy((400, 300)), "MPO", save_all=True, append_images=[noisy((400, 300))])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    stored = store_image(storage, TENANT, data, stem="p/mpo")
    assert stored.storage_key == "p/mpo.jpg" and stored.widths == (160, 320)


def test_webp_upload_is_accepted(storage: LocalStorage) -> None:
    stored = store_image(storage, TENANT, encode(noisy((500, 250)), "WEBP"), stem="p/w")
    assert (stored.storage_key, stored.widths) == ("p/w.jpg", (160, 320, 480))


def test_image_narrower_than_the_smallest_width_uses_its_own(storage: LocalStorage) -> None:
    stored = store_image(storage, TENANT, encode(noisy((100, 80)), "JPEG"), stem="p/tiny")
    assert stored.widths == (100,)
    assert open_stored(storage, "p/tiny-100.webp").size == (100, 80)
    assert open_stored(storage, "p/tiny-100.jpg").size == (100, 80)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` but holds (almost) no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def real_bomb() -> bytes:
    """A genuine 9000x9000 (81 MP) PNG: a few kilobytes on disk, huge in memory."""
    return encode(Image.new("1", (9000, 9000), 0), "PNG")


def bad_uploads() -> list[tuple[str, bytes, str]]:
    jpeg = encode(noisy((600, 400)), "JPEG")
    svg = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
           b'height="10" onload="alert(1)"><rect width="10" height="10"/></svg>')
    return [
        ("empty", b"", "empty"),
        ("text", "নকশি কাঁথা, hand stitched\n".encode() * 20, "not an image Haat can use"),
        ("truncated jpeg", jpeg[: len(jpeg) // 2], "damaged or incomplete"),
        ("jpeg header only", jpeg[:200], "damaged or incomplete"),
        ("svg", svg, "not an image Haat can use"),
        ("bmp", encode(noisy((50, 50)), "BMP"), "not an image Haat can use"),
        ("tiff", encode(noisy((50, 50)), "TIFF"), "not an image Haat can use"),
        ("ico", encode(noisy((32, 32)), "ICO"), "not an image Haat can use"),
        ("pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "not an image"),
        ("header claims 50000x50000", png_header_only(50_000, 50_000), "too many pixels"),
        # A 48 MP phone photo is within the limit; this one then fails to decode.
        ("header claims 8000x6000", png_header_only(8000, 6000), "damaged or incomplete"),
        ("header claims 9000x6000", png_header_only(9000, 6000), "too many pixels"),
        ("oversized", b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024), "larger than 10 MB"),
    ]


@pytest.mark.parametrize(("data", "message"),
                         [pytest.param(d, m, id=name) for name, d, m in bad_uploads()])
def test_bad_uploads_are_rejected_and_write_nothing(
    storage: LocalStorage, data: bytes, message: str
) -> None:
    with pytest.raises(ImageRejected) as caught:
        store_image(storage, TENANT, data, stem="products/upload")
    assert message in str(caught.value)
    assert str(caught.value).endswith(".")
    assert files_under(storage.root) == []


def test_real_decompression_bomb_is_rejected(storage: LocalStorage, real_bomb: bytes) -> None:
    assert len(real_bomb) < 100_000 and MAX_PIXELS < 9000 * 9000
    with pytest.raises(ImageRejected, match="at most 50 megapixels"):
        store_image(storage, TENANT, real_bomb, stem="products/bomb")
    assert files_under(storage.root) == []


def test_limits_can_be_lowered(storage: LocalStorage) -> None:
    data = encode(noisy((300, 300)), "PNG")
    with pytest.raises(ImageRejected, match=r"at most 0\.05 megapixels"):
        store_image(storage, TENANT, data, stem="p/x", max_pixels=50_000)
    with pytest.raises(ImageRejected, match="larger than 10 KB"):
        store_image(storage, TENANT, data, stem="p/x", max_bytes=10 * 1024)
    assert files_under(storage.root) == []


@pytest.mark.parametrize("stem", [
    "", "../escape", "products/../../etc/passwd", "/products/a", "products/a/", "products//a",
    "Products/A", "products/a.jpg", "products/a b", "products/নকশি", "a\\b", "a" * 201,
])
def test_bad_stems_raise_value_error_and_write_nothing(storage: LocalStorage, stem: str) -> None:
    with pytest.raises(ValueError, match="invalid image stem") as caught:
        store_image(storage, TENANT, encode(noisy((200, 200)), "JPEG"), stem=stem)
    assert not isinstance(caught.value, ImageRejected)
    assert files_under(storage.root) == []


class FailingStorage(LocalStorage):
    """Fails on the third save, like a full disk."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.saves = 0

    def save(self, tenant_id: int, key: str, data: bytes) -> str:
        self.saves += 1
        if self.saves == 3:
            raise OSError("No space left on device")
        return super().save(tenant_id, key, data)


def test_failed_write_removes_the_files_already_written(tmp_path: Path) -> None:
    storage = FailingStorage(tmp_path)
    with pytest.raises(OSError, match="No space"):
        store_image(storage, TENANT, encode(noisy((700, 400)), "JPEG"), stem="p/half")
    assert files_under(tmp_path) == []


def test_rendition_key() -> None:
    assert rendition_key("products/a.jpg", 320, "webp") == "products/a-320.webp"
    assert rendition_key("products/a.jpg", 320, "original") == "products/a-320.jpg"
    assert rendition_key("products/a.png", 160, "original") == "products/a-160.png"
    for bad in [("products/a", 320, "webp"), ("products/a.jpg", 320, "avif"),
                ("products/a.jpg", 0, "webp")]:
        with pytest.raises(ValueError):
            rendition_key(*bad)


def test_srcset() -> None:
    def url(key: str) -> str:
        return f"/media/{key}"

    assert srcset("products/a.jpg", (160, 320), "webp", url) == (
        "/media/products/a-160.webp 160w, /media/products/a-320.webp 320w"
    )
    assert srcset("products/a.png", [480], "original", url) == "/media/products/a-480.png 480w"
    assert srcset("products/a.jpg", (), "webp", url) == ""


def test_delete_image_removes_original_and_every_rendition(storage: LocalStorage) -> None:
    stored = store_image(storage, TENANT, encode(noisy((700, 700)), "JPEG"), stem="p/gone")
    assert len(files_under(storage.root)) == 1 + 2 * 4
    delete_image(storage, TENANT, stored.storage_key, stored.widths)
    assert files_under(storage.root) == []
    # Deleting again, or with widths that never existed, is harmless.
    delete_image(storage, TENANT, stored.storage_key, (*stored.widths, 1280))


def test_tenants_files_live_under_different_roots(storage: LocalStorage) -> None:
    data = encode(noisy((400, 400)), "JPEG")
    first = store_image(storage, 1, data, stem="products/same")
    second = store_image(storage, 2, data, stem="products/same")
    assert first.storage_key == second.storage_key
    path_1, path_2 = storage.path(1, first.storage_key), storage.path(2, second.storage_key)
    assert path_1 != path_2
    assert path_1.is_relative_to(storage.tenant_root(1))
    assert path_2.is_relative_to(storage.tenant_root(2))

    delete_image(storage, 1, first.storage_key, first.widths)
    assert files_under(storage.tenant_root(1)) == []
    assert len(files_under(storage.tenant_root(2))) == 1 + 2 * len(second.widths)


# ------------------------------------------------ limits before decoding, truncation


@pytest.mark.parametrize("store", [store_image, store_upload])
@pytest.mark.parametrize("size", [(9000, 6000), (12_000, 10_000), (50_000, 50_000)])
def test_too_many_pixels_are_refused_from_the_header_without_decoding(
        storage: LocalStorage, decodes: list[str], store, size: tuple[int, int]) -> None:
    # 54 MP (our limit), 120 MP (Pillow warns) and 2,500 MP (Pillow refuses to open).
    with pytest.raises(ImageRejected, match="at most 50 megapixels"):
        store(storage, TENANT, png_header_only(*size), stem="products/bomb")
    assert decodes == []
    assert files_under(storage.root) == []


def test_the_checks_do_decode_an_image_within_the_limit(
        storage: LocalStorage, decodes: list[str]) -> None:
    store_upload(storage, TENANT, encode(noisy((300, 200)), "JPEG"), stem="p/ok")
    assert decodes  # so the test above would notice a decode (a JPEG, at 1/8 size)


def cut_png() -> list[tuple[str, bytes]]:
    png = encode(noisy((300, 200)), "PNG")
    # Pillow's verify() stops at the name of the end chunk; its checksum is the last 4 bytes.
    return [(f"last {n} bytes missing", png[:-n]) for n in (1, 4, 8, 12)] + [
        ("half", png[: len(png) // 2])]


@pytest.mark.parametrize("store", [store_image, store_upload])
@pytest.mark.parametrize(("data"), [pytest.param(d, id=name) for name, d in cut_png()])
def test_a_truncated_png_is_refused(storage: LocalStorage, store, data: bytes) -> None:
    with pytest.raises(ImageRejected, match="damaged or incomplete"):
        store(storage, TENANT, data, stem="products/cut")
    assert files_under(storage.root) == []


# ------------------------------------------------------- upload now, files in a job


def test_store_upload_keeps_only_a_private_copy_and_finish_upload_makes_the_files(
        storage: LocalStorage, tmp_path_factory: pytest.TempPathFactory) -> None:
    data = encode(noisy((1000, 500)), "JPEG")
    kept = store_upload(storage, TENANT, data, stem="products/later")
    assert kept == StoredImage("products/later.jpg", 1000, 500, (160, 320, 480, 640, 960))
    assert files_under(storage.root) == [storage.path(TENANT, private_key(kept.storage_key))]

    done = finish_upload(storage, TENANT, kept.storage_key)
    assert done == kept
    now = LocalStorage(tmp_path_factory.mktemp("now"))
    assert store_image(now, TENANT, data, stem="products/later") == kept
    assert [p.relative_to(storage.root) for p in files_under(storage.root)] == [
        p.relative_to(now.root) for p in files_under(now.root)]
    # A second run finds nothing waiting and changes nothing.
    assert finish_upload(storage, TENANT, kept.storage_key) is None


def test_store_upload_predicts_the_upright_size_and_transparency(storage: LocalStorage) -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # the camera was turned: 800x600 on the sensor, 600x800 upright
    phone = encode(noisy((800, 600)), "JPEG", exif=exif.tobytes())
    kept = store_upload(storage, TENANT, phone, stem="p/phone")
    assert (kept.width, kept.height, kept.storage_key) == (600, 800, "p/phone.jpg")
    assert finish_upload(storage, TENANT, kept.storage_key) == kept

    badge = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    kept = store_upload(storage, TENANT, encode(badge, "PNG"), stem="p/badge")
    assert kept.storage_key == "p/badge.png"
    assert finish_upload(storage, TENANT, kept.storage_key) == kept


def test_deleting_an_image_still_waiting_removes_its_upload(storage: LocalStorage) -> None:
    kept = store_upload(storage, TENANT, encode(noisy((300, 300)), "JPEG"), stem="p/gone")
    delete_image(storage, TENANT, kept.storage_key, kept.widths)
    assert files_under(storage.root) == []
    assert finish_upload(storage, TENANT, kept.storage_key) is None
