"""Placeholder product images, drawn with Pillow (no downloads, no fonts needed)."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw

SIZE = 800


def _palette(seed: bytes) -> list[tuple[int, int, int]]:
    return [(seed[i], seed[i + 1], seed[i + 2]) for i in range(0, 15, 3)]


def placeholder_image(label: str, size: int = SIZE) -> bytes:
    """A deterministic, pleasant pattern for ``label``, as a JPEG.

    The same label always gives the same picture, so reloading the demo is stable.
    """
    seed = hashlib.sha256(label.encode("utf-8")).digest()
    colours = _palette(seed)
    base = tuple(int(c * 0.35 + 255 * 0.65) for c in colours[0])
    image = Image.new("RGB", (size, size), base)
    draw = ImageDraw.Draw(image)
    step = size // 8
    for row in range(8):
        for col in range(8):
            bit = seed[(row * 8 + col) % len(seed)]
            colour = colours[1 + bit % 4]
            x, y = col * step, row * step
            if bit % 3 == 0:
                draw.ellipse((x + 6, y + 6, x + step - 6, y + step - 6), fill=colour)
            elif bit % 3 == 1:
                draw.polygon([(x + step // 2, y + 6), (x + step - 6, y + step - 6),
                              (x + 6, y + step - 6)], fill=colour)
    margin = size // 5
    draw.rounded_rectangle((margin, margin, size - margin, size - margin), radius=size // 12,
                           fill=base, outline=colours[1], width=size // 80)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80, optimize=True, progressive=True)
    return buffer.getvalue()
