"""Recognising an uploaded photo by its first bytes, never by its name or declared type."""

from __future__ import annotations

__all__ = ["MAX_PHOTO_BYTES", "PhotoRefused", "sniff_image"]

MAX_PHOTO_BYTES = 5 * 1024 * 1024


class PhotoRefused(Exception):
    """An upload that is not an accepted image, with ``too_large`` set when only the size is wrong."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large


def sniff_image(content: bytes, limit: int = MAX_PHOTO_BYTES) -> str:
    """The content type of a JPEG, PNG or WebP image, or :class:`PhotoRefused`."""
    from voting.i18n import gettext as _

    if len(content) > limit:
        raise PhotoRefused(_("The photo is larger than {size} MB.").format(size=limit // (1024 * 1024)),
                           too_large=True)
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    raise PhotoRefused(_("The photo must be a JPEG, PNG or WebP image."))
