"""Neighbourhood use cases: create, update, retire (never delete), list; every change audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ballots.models import Ballot
from voting.admin.rules import check_boundary, check_name, check_population, check_postcodes, check_slug
from voting.audit.service import record
from voting.domain import Conflict, NotFound
from voting.i18n import gettext as _
from voting.models import Neighbourhood

__all__ = ["create_neighbourhood", "update_neighbourhood", "retire_neighbourhood", "get_neighbourhood",
           "ACTIVE_BALLOT_STATES"]

ACTIVE_BALLOT_STATES = ("draft", "open", "closed")


async def get_neighbourhood(session: AsyncSession, slug: str) -> Neighbourhood:
    hood = (await session.exec(select(Neighbourhood).where(Neighbourhood.slug == slug))).first()
    if hood is None:
        raise NotFound(_("Unknown neighbourhood {slug}.").format(slug=slug))
    return hood


async def create_neighbourhood(session: AsyncSession, *, actor: str, slug: str, name_fr: str, name_en: str,
                               population: int | None = None, boundary: Any = None,
                               postcodes: list[str] | None = None) -> Neighbourhood:
    slug = check_slug(slug)
    hood = Neighbourhood(slug=slug, name_fr=check_name(name_fr, "French"), name_en=check_name(name_en, "English"),
                         population=check_population(population), boundary=check_boundary(boundary),
                         postcodes=check_postcodes(postcodes or []))
    if (await session.exec(select(Neighbourhood.id).where(Neighbourhood.slug == slug))).first() is not None:
        raise Conflict(_("A neighbourhood with the slug {slug} already exists.").format(slug=slug))
    session.add(hood)
    await session.flush()
    await record(session, actor=actor, action="neighbourhood.created", subject=f"neighbourhood:{slug}",
                 data={"slug": slug, "name_fr": hood.name_fr, "name_en": hood.name_en, "population": population,
                       "postcodes": hood.postcodes, "has_boundary": hood.boundary is not None})
    return hood


async def update_neighbourhood(session: AsyncSession, *, actor: str, slug: str, **changes: Any) -> Neighbourhood:
    """Rename or change population, boundary or postcodes; only the given fields change."""
    hood = await get_neighbourhood(session, slug)
    checks: dict[str, Callable[[Any], Any]] = {
        "name_fr": lambda v: check_name(v, "French"), "name_en": lambda v: check_name(v, "English"),
        "population": check_population, "boundary": check_boundary, "postcodes": check_postcodes}
    changed: dict[str, Any] = {}
    for field, value in changes.items():
        if field not in checks:
            raise NotFound(_("Unknown field {name}.").format(name=field))
        value = checks[field](value)
        if getattr(hood, field) != value:
            setattr(hood, field, value)
            changed[field] = value if field != "boundary" else value is not None
    if changed:
        session.add(hood)
        await session.flush()
        await record(session, actor=actor, action="neighbourhood.updated", subject=f"neighbourhood:{slug}",
                     data=changed)
    return hood


async def retire_neighbourhood(session: AsyncSession, *, actor: str, slug: str) -> Neighbourhood:
    """Retire: hidden from new proposals and ballots, kept for history. Refused while a ballot is under way."""
    hood = await get_neighbourhood(session, slug)
    if hood.retired_at is not None:
        raise Conflict(_("The neighbourhood {slug} is already retired.").format(slug=slug))
    busy = (await session.exec(select(func.count()).select_from(Ballot).where(
        Ballot.neighbourhood_id == hood.id, col(Ballot.status).in_(ACTIVE_BALLOT_STATES)))).one()
    if busy:
        raise Conflict(_("The neighbourhood {slug} has a ballot in preparation, open or awaiting its tally; "
                         "finish or cancel it first.").format(slug=slug))
    hood.retired_at = datetime.now(UTC)
    session.add(hood)
    await session.flush()
    await record(session, actor=actor, action="neighbourhood.retired", subject=f"neighbourhood:{slug}")
    return hood
