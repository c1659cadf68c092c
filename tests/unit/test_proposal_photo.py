"""Photos are recognised by their magic bytes and size, never by name or declared type."""

from __future__ import annotations

import pytest

from voting.proposals.photo import PhotoRefused, sniff_image

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 10


@pytest.mark.parametrize(("content", "kind"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")])
def test_accepted_images(content, kind):
    assert sniff_image(content) == kind


@pytest.mark.parametrize("content", [b"", b"GIF89a....", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                     b"RIFF\x10\x00\x00\x00WAVEfmt ", b"%PDF-1.7", b"\x89PNG", b"<script>"])
def test_other_content_is_refused(content):
    with pytest.raises(PhotoRefused) as refused:
        sniff_image(content)
    assert not refused.value.too_large


def test_size_limit():
    assert sniff_image(PNG + b"\x00" * 100, limit=128) == "image/png"
    with pytest.raises(PhotoRefused) as refused:
        sniff_image(PNG + b"\x00" * 200, limit=128)
    assert refused.value.too_large
