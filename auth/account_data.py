"""A resident's own data: everything the city holds about them, as JSON, and erasure of the account.

Read with plain SQL over the other areas' tables (proposals, supports, participation, voter rolls, the outbox):
auth sits below those packages and must not import them. Vote contents are never linked to a voter, so they
cannot be in the download.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account, AccountToken, ModeratorScope, RoleGrant
from auth.principal import Principal
from auth.rules import DELETED_NAME, anonymous_email, sessions_cutoff
from auth.self_service import check_own_password, own_account
from voting.audit.service import record
from voting.domain import Conflict
from voting.i18n import gettext as _
from voting.models import AuditEntry, Neighbourhood

__all__ = ["export_data", "delete_account"]

QUERIES = {
    "proposals": """SELECT p.id, p.title, p.summary, p.description, p.status, p.category, n.slug AS neighbourhood,
                           p.estimated_cost, p.address, p.created_at, p.submitted_at
                      FROM proposal p LEFT JOIN neighbourhood n ON n.id = p.neighbourhood_id
                     WHERE p.proposer_id = :id ORDER BY p.id""",
    "supports": """SELECT s.proposal_id, p.title, s.created_at FROM proposal_support s
                     JOIN proposal p ON p.id = s.proposal_id WHERE s.account_id = :id ORDER BY s.created_at""",
    "participation": """SELECT b.id AS ballot_id, b.title AS ballot, pa.channel, pa.age_band
                          FROM participation pa JOIN ballot b ON b.id = pa.ballot_id
                         WHERE pa.voter_ref = :voter_ref ORDER BY b.id""",
    "voter_rolls": """SELECT b.id AS ballot_id, b.title AS ballot, r.email, r.external_id, r.birth_date,
                             r.neighbourhood_id
                        FROM voter_roll_entry r JOIN ballot b ON b.id = r.ballot_id
                       WHERE lower(r.email) = :email OR r.external_id = :external_id ORDER BY b.id""",
    "mail": """SELECT kind, to_address, subject, status, created_at, sent_at FROM mail_outbox
                WHERE account_id = :id ORDER BY id""",
    "census_matches": "SELECT claimed_at FROM census_claim WHERE account_id = :id ORDER BY claimed_at",
    "census_pending": "SELECT birth_date, created_at FROM census_pending WHERE account_id = :id",
    "residence_failed_checks": "SELECT at FROM residence_attempt WHERE account_id = :id ORDER BY at",
    "comments": """SELECT id, subject_kind, subject_id, parent_id, body, status, created_at FROM comment
                    WHERE author_id = :id ORDER BY id""",
    "comment_reports": "SELECT comment_id, created_at FROM comment_report WHERE account_id = :id ORDER BY created_at",
    "volunteering": """SELECT v.project_id, p.title, v.created_at FROM project_volunteer v
                        JOIN funded_project f ON f.id = v.project_id JOIN proposal p ON p.id = f.proposal_id
                       WHERE v.account_id = :id ORDER BY v.created_at""",
}
ERASED_WITH_THE_ACCOUNT = ("census_pending", "residence_attempt", "comment_report", "project_volunteer")
"""Rows about the person only (a hashed document id, failed tries, which comments they reported): deleted. Their
comments stay, under the erased account's name, so that the replies to them still read."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


async def _rows(session: AsyncSession, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    result = await session.exec(text(sql), params=params)  # type: ignore[call-overload]
    return [{key: _plain(value) for key, value in row._mapping.items()} for row in result.all()]


async def export_data(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    """The account, its roles and scopes, proposals, supports, ballots taken part in (and how), voter-roll
    lines, mail sent, census matches and checks, and the audit entries about it. Never what was voted."""
    account = await own_account(session, principal)
    hood = await session.get(Neighbourhood, account.neighbourhood_id) if account.neighbourhood_id else None
    scopes = (await session.exec(select(Neighbourhood.slug).join(
        ModeratorScope, col(ModeratorScope.neighbourhood_id) == col(Neighbourhood.id)).where(
        ModeratorScope.account_id == account.id))).all()
    roles = (await session.exec(select(RoleGrant.role).where(RoleGrant.account_id == account.id))).all()
    params = {"id": account.id, "voter_ref": f"a:{account.id}", "email": account.email.lower(),
              "external_id": str(account.id)}
    audit = (await session.exec(select(AuditEntry).where(
        (col(AuditEntry.subject) == f"account:{account.id}") | (col(AuditEntry.actor) == f"account:{account.id}"))
        .order_by(col(AuditEntry.seq)))).all()
    return {
        "exported_at": datetime.now(UTC).isoformat(),
        "account": {"id": str(account.id), "email": account.email, "display_name": account.display_name,
                    "birth_date": _plain(account.birth_date), "neighbourhood": hood.slug if hood else None,
                    "language": account.language, "notify_ballot_opened": account.notify_ballot_opened,
                    "notify_results": account.notify_results, "created_at": _plain(account.created_at),
                    "email_confirmed_at": _plain(account.email_confirmed_at),
                    "verified_at": _plain(account.verified_at), "verified_how": account.verified_how},
        "roles": sorted(roles),
        "moderator_neighbourhoods": sorted(scopes),
        **{name: await _rows(session, sql, params) for name, sql in QUERIES.items()},
        "audit_entries": [{"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                           "subject": e.subject, "data": e.data} for e in audit],
        "not_included": _("Votes are stored without any link to the voter, so nobody can say what you voted."),
    }


async def _last_admin(session: AsyncSession, account: Account) -> bool:
    admins = (await session.exec(select(func.count()).select_from(RoleGrant).join(
        Account, col(Account.id) == col(RoleGrant.account_id)).where(
        RoleGrant.role == "admin", col(Account.is_active).is_(True)))).one()
    mine = await session.get(RoleGrant, (account.id, "admin"))
    return mine is not None and admins <= 1


async def _voted_in_an_open_ballot(session: AsyncSession, account: Account) -> bool:
    found = await session.exec(text(  # type: ignore[call-overload]
        "SELECT 1 FROM participation p JOIN ballot b ON b.id = p.ballot_id"
        " WHERE p.voter_ref = :ref AND b.status = 'open' AND b.closes_at > :now LIMIT 1"),
        params={"ref": f"a:{account.id}", "now": datetime.now(UTC)})
    return found.first() is not None


async def delete_account(session: AsyncSession, principal: Principal, *, password: str) -> None:
    """Erase the personal data and end every session; the row stays, anonymised, for what refers to it
    (proposals, supports, participation: turnout and support counts do not change). The audit log is a
    hash chain and is not rewritten."""
    account = await own_account(session, principal)
    await check_own_password(session, account, password, _("The password is wrong."), "password")
    if await _last_admin(session, account):
        raise Conflict(_("This is the last administrator: make someone else an administrator first."))
    if await _voted_in_an_open_ballot(session, account):
        raise Conflict(_("You took part in a ballot that is still open: you can delete your account once it "
                         "closes (a new account must not be able to vote in it a second time)."))
    old_email, now = account.email, datetime.now(UTC)
    for table, column in ((RoleGrant, RoleGrant.account_id), (ModeratorScope, ModeratorScope.account_id),
                          (AccountToken, AccountToken.account_id)):
        await session.exec(delete(table).where(col(column) == account.id))  # type: ignore[call-overload]
    await session.exec(text("DELETE FROM mail_outbox WHERE account_id = :id OR lower(to_address) = :email"),  # type: ignore[call-overload]
                       params={"id": account.id, "email": old_email.lower()})
    for census_table in ERASED_WITH_THE_ACCOUNT:
        await session.exec(text(f"DELETE FROM {census_table} WHERE account_id = :id"), params={"id": account.id})  # type: ignore[call-overload]  # noqa: S608
    await session.exec(text("DELETE FROM throttle WHERE key LIKE :pattern"),  # type: ignore[call-overload]
                       params={"pattern": "login-pair:" + old_email.lower().replace("%", r"\%").replace("_", r"\_")
                               + "|%"})
    account.email, account.display_name, account.password_hash = anonymous_email(account.id), DELETED_NAME, "!"
    account.birth_date = account.neighbourhood_id = account.language = account.verified_at = None
    account.verified_how = account.email_confirmed_at = None
    account.notify_ballot_opened = account.notify_results = account.is_active = False
    account.deleted_at, account.sessions_since = now, sessions_cutoff(now)
    session.add(account)
    await session.flush()
    await record(session, actor=f"account:{account.id}", action="account.deleted", subject=f"account:{account.id}")
