"""Signed exports computed once per result digest and signing key, stored, and served from there (with ETags)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from voting.domain import NotFound
from voting.i18n import gettext as _
from voting.results.cache import export_bytes
from voting.results.export_build import compute_exports
from voting.results.models import ResultExport
from voting.results.service import StoredResult, stored_result, visible_digest

__all__ = ["EXPORT_LOCK", "ExportFile", "ensure_exports", "export_file", "signed_exports"]

EXPORT_LOCK = 0x67626578
"""Advisory lock namespace ("gbex"): the first requests of a result's exports wait for one computation."""


_filling: dict[tuple[int, str, str, str], asyncio.Lock] = {}


@dataclass(frozen=True)
class ExportFile:
    name: str
    sha256: str
    content: bytes


async def _stored_names(session: AsyncSession, ballot_id: int, digest: str, kid: str) -> dict[str, str]:
    rows = (await session.exec(select(ResultExport.name, ResultExport.sha256).where(
        ResultExport.ballot_id == ballot_id, ResultExport.result_sha256 == digest, ResultExport.kid == kid))).all()
    return dict(rows)


async def ensure_exports(session: AsyncSession, ballot_id: int, digest: str,
                         load: Callable[[], Awaitable[StoredResult]], key_secret: str | None = None,
                         progress: Callable[[str], None] | None = None) -> tuple[str, dict[str, str]]:
    """The current signing key's id and {file name: SHA-256} of the stored exports of result ``digest``, computed
    (from ``load()``) and stored first if need be. Concurrent first callers queue on an advisory lock and the later
    ones find the stored files."""
    from auth.keys import ensure_key

    key = await ensure_key(session, "signing", key_secret)
    names = await _stored_names(session, ballot_id, digest, key.kid)
    if names:
        return key.kid, names
    await session.exec(text("SELECT pg_advisory_xact_lock(:ns, :b)").bindparams(  # type: ignore[call-overload]
        ns=EXPORT_LOCK, b=ballot_id))
    names = await _stored_names(session, ballot_id, digest, key.kid)
    if names:
        return key.kid, names
    files = await compute_exports(session, await load(), key, key_secret, progress)
    for name, content in files.items():
        sha = hashlib.sha256(content).hexdigest()
        session.add(ResultExport(ballot_id=ballot_id, result_sha256=digest, kid=key.kid, name=name, sha256=sha,
                                 content=content))
        export_bytes.put((ballot_id, digest, key.kid, name), content)
        names[name] = sha
    await session.flush()
    return key.kid, names


async def _content(session: AsyncSession, ballot_id: int, digest: str, kid: str, name: str) -> bytes:
    """The file from this process's cache; on a miss, one request reads it while the others wait for it."""
    key = (ballot_id, digest, kid, name)
    cached = export_bytes.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    async with _filling.setdefault(key, asyncio.Lock()):
        cached = export_bytes.get(key)
        if cached is None:
            cached = export_bytes.put(key, (await session.exec(select(ResultExport.content).where(
                ResultExport.ballot_id == ballot_id, ResultExport.result_sha256 == digest, ResultExport.kid == kid,
                ResultExport.name == name))).one())
    _filling.pop(key, None)
    return cached  # type: ignore[no-any-return]


async def _keys_json(session: AsyncSession) -> bytes:
    from auth.keys import published_keys

    return (json.dumps(await published_keys(session), indent=2) + "\n").encode()


async def export_file(session: AsyncSession, principal: Principal | None, ballot_id: int, name: str,
                      key_secret: str | None = None) -> ExportFile:
    """One export file of a result the principal may see; ``keys.json`` is read live (keys rotate)."""
    digest = (await visible_digest(session, principal, ballot_id))[2]
    if name == "keys.json":
        content = await _keys_json(session)
        return ExportFile(name, hashlib.sha256(content).hexdigest(), content)
    kid, names = await ensure_exports(session, ballot_id, digest, lambda: stored_result(session, principal, ballot_id),
                                      key_secret)
    if name not in names:
        raise NotFound(_("No export file named {name}.").format(name=name))
    return ExportFile(name, names[name], await _content(session, ballot_id, digest, kid, name))


async def signed_exports(session: AsyncSession, principal: Principal | None, ballot_id: int,
                         key_secret: str | None = None,
                         progress: Callable[[str], None] | None = None) -> dict[str, bytes]:
    """Every export file with its detached signature, and the public keys that verify them."""
    digest = (await visible_digest(session, principal, ballot_id))[2]
    kid, names = await ensure_exports(session, ballot_id, digest, lambda: stored_result(session, principal, ballot_id),
                                      key_secret, progress)
    files = {name: await _content(session, ballot_id, digest, kid, name) for name in sorted(names)}
    files["keys.json"] = await _keys_json(session)
    return files
