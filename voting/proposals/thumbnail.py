"""Pure: a proposal photo's thumbnail for the vote cards, made once at upload with Pillow (4:3 WebP, no metadata)."""

from __future__ import annotations

import io
import warnings

__all__ = ["THUMBNAIL_SIZE", "THUMBNAIL_TYPE", "make_thumbnail"]

THUMBNAIL_SIZE = (480, 360)
"""Twice the card's 240 x 180 CSS pixels, for sharp phone screens."""
THUMBNAIL_TYPE = "image/webp"
_MAX_PIXELS = 50_000_000
"""A 5 MB upload can still claim an enormous canvas (a decompression bomb): refuse to decode past this."""


def make_thumbnail(content: bytes) -> bytes | None:
    """A 480 x 360 WebP of the photo, turned upright by its EXIF orientation, cropped to the middle, with no
    metadata kept (no GPS position of the proposer's garden); None when Pillow cannot read the image."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.width * image.height > _MAX_PIXELS:
                    return None
                upright = ImageOps.exif_transpose(image)
                mode = "RGBA" if "A" in upright.getbands() or "transparency" in upright.info else "RGB"
                fitted = ImageOps.fit(upright.convert(mode), THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
                out = io.BytesIO()
                fitted.save(out, "WEBP", quality=80, method=4)
                return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
