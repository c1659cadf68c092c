"""Proposal category use cases: create, rename, retire (a category in use is retired, never deleted)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from voting.admin.rules import check_name, check_slug
from voting.audit.service import record
from voting.domain import Conflict, NotFound
from voting.i18n import gettext as _
from voting.i18n import ngettext
from voting.proposals.models import Category, Proposal

__all__ = ["list_categories", "create_category", "rename_category", "retire_category", "delete_category"]


async def list_categories(session: AsyncSession, include_retired: bool = True) -> list[Category]:
    query = select(Category).order_by(col(Category.name_en))
    if not include_retired:
        query = query.where(col(Category.retired_at).is_(None))
    return list((await session.exec(query)).all())


async def _get(session: AsyncSession, slug: str) -> Category:
    category = await session.get(Category, slug)
    if category is None:
        raise NotFound(_("Unknown category {slug}.").format(slug=slug))
    return category


async def create_category(session: AsyncSession, *, actor: str, slug: str, name_fr: str, name_en: str) -> Category:
    slug = check_slug(slug)
    category = Category(slug=slug, name_fr=check_name(name_fr, "French"), name_en=check_name(name_en, "English"))
    if await session.get(Category, slug) is not None:
        raise Conflict(_("A category with the slug {slug} already exists.").format(slug=slug))
    session.add(category)
    await session.flush()
    await record(session, actor=actor, action="category.created", subject=f"category:{slug}",
                 data={"name_fr": category.name_fr, "name_en": category.name_en})
    return category


async def rename_category(session: AsyncSession, *, actor: str, slug: str, name_fr: str, name_en: str) -> Category:
    category = await _get(session, slug)
    category.name_fr, category.name_en = check_name(name_fr, "French"), check_name(name_en, "English")
    session.add(category)
    await session.flush()
    await record(session, actor=actor, action="category.renamed", subject=f"category:{slug}",
                 data={"name_fr": category.name_fr, "name_en": category.name_en})
    return category


async def retire_category(session: AsyncSession, *, actor: str, slug: str) -> Category:
    category = await _get(session, slug)
    if category.retired_at is not None:
        raise Conflict(_("The category {slug} is already retired.").format(slug=slug))
    category.retired_at = datetime.now(UTC)
    session.add(category)
    await session.flush()
    await record(session, actor=actor, action="category.retired", subject=f"category:{slug}")
    return category


async def delete_category(session: AsyncSession, *, actor: str, slug: str) -> None:
    """Delete an unused category; one that proposals use must be retired instead."""
    category = await _get(session, slug)
    used = (await session.exec(select(func.count()).select_from(Proposal).where(Proposal.category == slug))).one()
    if used:
        raise Conflict(ngettext("{count} proposal uses the category {slug}: retire it instead of deleting it.",
                                "{count} proposals use the category {slug}: retire it instead of deleting it.", used)
                       .format(count=used, slug=slug))
    await session.delete(category)
    await session.flush()
    await record(session, actor=actor, action="category.deleted", subject=f"category:{slug}")
