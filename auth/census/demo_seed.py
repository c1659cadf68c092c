"""The demo city's census: the demo accounts and a few residents known only by an identity document."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.census.service import census_size, import_census, last_import
from auth.models import Account
from voting.models import Neighbourhood

__all__ = ["DEMO_DOCUMENT", "DEMO_DOCUMENT_BIRTH_DATE", "seed_census_demo"]

DEMO_DOCUMENT = "CF 2026 0042"
DEMO_DOCUMENT_BIRTH_DATE = date(1990, 6, 21)
ROLE_DEFAULTS = {"citizen": (date(1994, 5, 17), "centre-jaude"), "moderator": (date(1981, 9, 2), "montferrand"),
                 "auditor": (date(1975, 11, 30), "saint-jacques"), "admin": (date(1969, 4, 8), "centre-jaude")}
RESIDENTS = [
    (DEMO_DOCUMENT, DEMO_DOCUMENT_BIRTH_DATE, "centre-jaude"),  # the open ballot's neighbourhood: try the journey
    ("CF 2026 0043", date(1986, 2, 11), "croix-de-neyrat"),
    ("CF 2026 0044", date(2001, 10, 5), "les-vergnes"),
    ("CF 2026 0045", date(1958, 7, 14), "montferrand"),
    ("CF 2026 0046", date(2008, 3, 30), "centre-jaude"),
]


async def seed_census_demo(session: AsyncSession, accounts: Mapping[str, Account]) -> str:
    """Import the demo census once (through the same import as a city's file); say how to try it."""
    if await last_import(session) is None:
        slugs = {hood.id: hood.slug for hood in (await session.exec(select(Neighbourhood))).all()}
        lines = ["email,document_id,birth_date,neighbourhood"]
        for role, account in sorted(accounts.items()):
            born, slug = ROLE_DEFAULTS.get(role, ROLE_DEFAULTS["citizen"])
            lines.append(f"{account.email},,{(account.birth_date or born).isoformat()},"
                         f"{slugs.get(account.neighbourhood_id, slug)}")
        lines += [f",{document},{born.isoformat()},{slug}" for document, born, slug in RESIDENTS]
        await import_census(session, "\n".join(lines) + "\n", actor="demo")
    return (f"census of {await census_size(session)} residents: register, then verify your residence with the "
            f"document id {DEMO_DOCUMENT} and the birth date {DEMO_DOCUMENT_BIRTH_DATE.isoformat()}")
