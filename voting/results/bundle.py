"""Pure: the whole signed set of a result as one zip, each file under the name ``greenballot verify`` expects."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

__all__ = ["bundle_name", "signed_set_zip"]

_FIXED_TIME = (2020, 1, 1, 0, 0, 0)
"""Every member carries the same date, so the same files always give the same zip (and the same ETag)."""


def bundle_name(ballot_id: int) -> str:
    """The zip's file name, and its folder inside: unzipped, ``greenballot verify ballot-N-exports`` checks it."""
    return f"ballot-{ballot_id}-exports"


def signed_set_zip(folder: str, files: Mapping[str, bytes]) -> bytes:
    """``files`` (exports, their ``.sig`` and ``keys.json``) under ``folder/``, in name order, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            member = zipfile.ZipInfo(f"{folder}/{name}", date_time=_FIXED_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            archive.writestr(member, files[name])
    return buffer.getvalue()
