"""Thumbnails: 480 x 360 WebP, upright, cropped, stripped of metadata; unreadable images give none."""

from __future__ import annotations

import io

from PIL import Image

from voting.proposals.thumbnail import THUMBNAIL_SIZE, make_thumbnail


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def test_a_large_photo_becomes_a_small_webp():
    photo = encoded(Image.new("RGB", (4000, 3000), (40, 120, 40)), "JPEG", quality=95)
    thumbnail = make_thumbnail(photo)
    assert thumbnail is not None and len(thumbnail) < len(photo) / 10
    with Image.open(io.BytesIO(thumbnail)) as small:
        assert small.format == "WEBP" and small.size == THUMBNAIL_SIZE


def test_orientation_is_applied_and_metadata_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the camera held upright
    exif[0x8825] = {1: "N", 2: (45.0, 46.0, 38.0)}  # a GPS position
    portrait = encoded(Image.new("RGB", (800, 600), (200, 10, 10)), "JPEG", exif=exif.tobytes())
    thumbnail = make_thumbnail(portrait)
    assert thumbnail is not None
    with Image.open(io.BytesIO(thumbnail)) as small:
        assert small.size == THUMBNAIL_SIZE
        assert not small.getexif() and "exif" not in small.info


def test_transparency_is_kept():
    png = encoded(Image.new("RGBA", (300, 300), (0, 0, 0, 0)), "PNG")
    thumbnail = make_thumbnail(png)
    assert thumbnail is not None
    with Image.open(io.BytesIO(thumbnail)) as small:
        assert small.mode == "RGBA" and small.getpixel((10, 10))[3] == 0  # type: ignore[index]


def test_unreadable_images_give_no_thumbnail():
    assert make_thumbnail(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20) is None
    assert make_thumbnail(b"") is None
