"""The results part of the demo city: a past Montferrand ballot, voted by synthetic residents, tallied and published.

Everything goes through the real services (create, open, cast, close, tally, publish), so its audit entries,
receipts, Merkle leaves, checkpoint and stored result are those of any ballot.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account, ModeratorScope, RoleGrant
from auth.principal import Principal
from ballots.models import Ballot
from ballots.schemas import BallotCreate
from ballots.service import change_status, create_ballot
from ballots.votes import cast_online
from voting.audit.service import record
from voting.proposals.models import Proposal
from voting.results.service import publish_ballot, tally_ballot

__all__ = ["PAST_BALLOT_TITLE", "PAST_BALLOT_BUDGET", "VOTER_GROUPS", "DemoVoter", "demo_voters",
           "seed_published_ballot"]

PAST_BALLOT_TITLE = "Budget vert 2026 – Montferrand"
PAST_BALLOT_BUDGET = 75_000
PAST_BALLOT_DESCRIPTION = (
    "Les habitants de Montferrand ont choisi les projets de végétalisation financés en 2026. Chacun pouvait "
    "approuver autant de projets qu'il le souhaitait.\n\n"
    "Les projets financés sont désignés par la méthode des parts égales : le budget est partagé à égalité entre "
    "les votants, et chaque projet est payé par ceux qui l'ont soutenu. Un quartier où plusieurs groupes ont des "
    "envies différentes voit ainsi chacun d'eux obtenir sa part, et pas seulement la majorité.")

HAIE = "Haie fruitière le long de la Tiretaine"
JARDIN = "Jardin partagé du quartier historique"
PLACETTE = "Placette végétalisée rue Kléber"
COMPOST = "Composteurs collectifs"
FIGUIERS = "Figuiers et amandiers de la place de la Rodade"
POTAGER = "Potager pédagogique de l'école"

VOTER_GROUPS: list[tuple[int, dict[str, float]]] = [
    # (voters, chance of approving each project, the favourite first): three groups with different wishes. With
    # this budget the Method of Equal Shares funds a project for each; greedy counting gives the largest two.
    (24, {PLACETTE: .9, JARDIN: .8, FIGUIERS: .4, HAIE: .1, COMPOST: .1, POTAGER: .1}),  # the old town's squares
    (14, {POTAGER: .9, COMPOST: .7, HAIE: .5, JARDIN: .2, FIGUIERS: .1, PLACETTE: .05}),  # school families
    (10, {HAIE: .9, FIGUIERS: .7, COMPOST: .3, PLACETTE: .1, JARDIN: .1, POTAGER: .1}),  # walkers by the stream
]
FIRST_NAMES = ("Amandine", "Bastien", "Chloé", "Damien", "Élodie", "Fabien", "Gaëlle", "Hugo", "Inès", "Julien",
               "Léa", "Mathis", "Nadia", "Olivier", "Pauline", "Quentin", "Rose", "Samir", "Tiphaine", "Yann")
LAST_NAMES = ("Chabrier", "Faure", "Vidal", "Roux", "Bonnet", "Mercier", "Girard", "Andrieux", "Vial", "Chassaing",
              "Pourrat", "Bouchet", "Fournier", "Delmas")


@dataclass(frozen=True)
class DemoVoter:
    email: str
    name: str
    birth_date: date
    approves: tuple[str, ...]  # proposal titles


def demo_voters(seed: int = 2026) -> list[DemoVoter]:
    """The synthetic residents of Montferrand and their approvals; the same every time."""
    rng = random.Random(seed)
    voters: list[DemoVoter] = []
    for count, likes in VOTER_GROUPS:
        for _ in range(count):
            number = len(voters) + 1
            approves = tuple(title for title, chance in likes.items() if rng.random() < chance)
            voters.append(DemoVoter(
                email=f"votant-{number:02d}@montferrand.demo.greenballot.test",
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                birth_date=date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 56)),
                approves=approves or (next(iter(likes)),)))
    return voters


async def _principal_of(session: AsyncSession, account: Account) -> Principal:
    """The account as the services see a logged-in user: its roles, moderator scopes and voter details."""
    roles = (await session.exec(select(RoleGrant.role).where(RoleGrant.account_id == account.id))).all()
    hoods = (await session.exec(select(ModeratorScope.neighbourhood_id)
                                .where(ModeratorScope.account_id == account.id))).all()
    return Principal(id=account.id, email=account.email, display_name=account.display_name, roles=frozenset(roles),
                     neighbourhoods=frozenset(hoods), verified=account.verified_at is not None,
                     birth_date=account.birth_date, neighbourhood_id=account.neighbourhood_id,
                     email_confirmed=account.email_confirmed_at is not None)


def _thrown_away_hash() -> str:
    """An argon2id hash of a random password nobody keeps: at the cheapest parameters, as guessing 24 random bytes
    is hopeless at any cost (a synthetic voter never logs in)."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(secrets.token_urlsafe(24))


async def _voter_accounts(session: AsyncSession, voters: list[DemoVoter], hood_id: int) -> dict[str, Account]:
    """The synthetic voters' accounts by email: verified citizens of the neighbourhood, audited like
    ``create_account``, the missing ones inserted in bulk (one statement per table) sharing one password hash."""
    emails = [voter.email for voter in voters]
    found = {account.email.lower(): account for account in (await session.exec(
        select(Account).where(func.lower(Account.email).in_(emails)))).all()}
    password_hash = _thrown_away_hash()
    now = datetime.now(UTC)
    made = [Account(email=voter.email, display_name=voter.name, password_hash=password_hash,
                    birth_date=voter.birth_date, neighbourhood_id=hood_id, verified_at=now,
                    verified_how="demo account", email_confirmed_at=now)
            for voter in voters if voter.email not in found]
    session.add_all(made)
    await session.flush()
    session.add_all([RoleGrant(account_id=account.id, role="citizen") for account in made])
    await session.flush()
    for account in made:
        await record(session, actor="demo", action="account.created", subject=f"account:{account.id}",
                     data={"email": account.email, "roles": ["citizen"], "neighbourhoods": []})
        found[account.email] = account
    return found


def _citizen(account: Account) -> Principal:
    """A synthetic voter as the services see them logged in (a citizen, no scopes: what ``_principal_of`` reads)."""
    return Principal(id=account.id, email=account.email, display_name=account.display_name,
                     roles=frozenset({"citizen"}), neighbourhoods=frozenset(),
                     verified=account.verified_at is not None, birth_date=account.birth_date,
                     neighbourhood_id=account.neighbourhood_id, email_confirmed=account.email_confirmed_at is not None)


async def seed_published_ballot(session: AsyncSession, hood_id: int, moderator: Account,
                                key_secret: str | None = None) -> Ballot:
    """The published past ballot, created if missing (found by its title); returns it either way."""
    found = (await session.exec(select(Ballot).where(Ballot.title == PAST_BALLOT_TITLE))).first()
    if found is not None:
        return found
    wanted = {title for _, likes in VOTER_GROUPS for title in likes}
    proposals = {p.title: p for p in (await session.exec(
        select(Proposal).where(Proposal.neighbourhood_id == hood_id, Proposal.status == "accepted",
                               col(Proposal.title).in_(wanted)).order_by(col(Proposal.id)))).all()}
    officer = await _principal_of(session, moderator)
    now = datetime.now(UTC)
    ballot = await create_ballot(session, officer, BallotCreate(
        neighbourhood_id=hood_id, title=PAST_BALLOT_TITLE, description=PAST_BALLOT_DESCRIPTION,
        budget=PAST_BALLOT_BUDGET, proposal_ids=[p.id for p in proposals.values() if p.id is not None],
        vote_format="approval", rule="equalshares/add1", opens_at=now - timedelta(days=21),
        closes_at=now + timedelta(days=1)))
    assert ballot.id is not None
    await change_status(session, officer, ballot.id, "open", key_secret=key_secret)
    voters = demo_voters()
    accounts = await _voter_accounts(session, voters, hood_id)
    for voter in voters:
        account = accounts[voter.email]
        choice = [proposals[title].id for title in voter.approves if title in proposals]
        if choice:
            principal = _citizen(account) if account.verified_how == "demo account" else await _principal_of(
                session, account)
            await cast_online(session, principal, ballot.id, {"projects": choice})
    await change_status(session, officer, ballot.id, "closed", key_secret=key_secret)
    await tally_ballot(session, officer, ballot.id, key_secret)
    return await publish_ballot(session, officer, ballot.id)
