"""The demo city: neighbourhoods, one account per role, about thirty greening proposals and an open ballot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from auth.service import create_account
from ballots.models import Ballot, BallotProposal, VoterRollEntry
from voting.audit.service import record
from voting.models import Neighbourhood
from voting.proposals.demo_seed import seed_proposal_demo
from voting.proposals.models import Proposal

__all__ = ["DemoAccount", "DEMO_ACCOUNTS", "NEIGHBOURHOODS", "PROPOSALS", "seed_demo"]


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    name: str
    neighbourhoods: tuple[str, ...] = ()


NEIGHBOURHOODS = [
    ("centre-jaude", "Centre – Jaude", "Centre – Jaude", 24000, ["63000"]),
    ("montferrand", "Montferrand", "Montferrand", 15000, ["63100"]),
    ("croix-de-neyrat", "Croix-de-Neyrat", "Croix-de-Neyrat", 9000, ["63100"]),
    ("saint-jacques", "Saint-Jacques", "Saint-Jacques", 13000, ["63000"]),
    ("les-vergnes", "Les Vergnes", "Les Vergnes", 6000, ["63100"]),
]

DEMO_ACCOUNTS = [
    DemoAccount("citizen", "citizen@demo.greenballot.test", "citizen-demo-2026", "Camille Citoyenne"),
    DemoAccount("moderator", "moderator@demo.greenballot.test", "moderator-demo-2026", "Malik Modérateur",
                ("centre-jaude", "montferrand")),
    DemoAccount("auditor", "auditor@demo.greenballot.test", "auditor-demo-2026", "Aude Auditrice"),
    DemoAccount("admin", "admin@demo.greenballot.test", "admin-demo-2026", "Adèle Admin"),
]

# (neighbourhood, category, title, summary, estimated cost in euros)
PROPOSALS = [
    ("centre-jaude", "fruit-trees", "Pommiers et poiriers place de Jaude",
     "Twelve apple and pear trees in large planters around the square, harvested by neighbours.", 18500),
    ("centre-jaude", "garden", "Jardin partagé rue Fontgiève",
     "Turn the fenced lot on rue Fontgiève into a shared vegetable garden with raised beds.", 32000),
    ("centre-jaude", "urban-reconfiguration", "Rue piétonne devant l'école Jean-Macé",
     "Close the school street to cars at drop-off times and plant the former parking bays.", 46000),
    ("centre-jaude", "garden", "Toits végétalisés de la médiathèque",
     "Green roof with sedum and a small pollinator meadow on the library's flat roof.", 74000),
    ("centre-jaude", "fruit-trees", "Verger de la place Delille",
     "A small orchard of cherry and plum trees with a bench circle for shade.", 21000),
    ("centre-jaude", "other", "Récupérateurs d'eau de pluie pour les jardins",
     "Twenty rainwater tanks connected to public gutters for community gardens.", 9600),
    ("centre-jaude", "urban-reconfiguration", "Désimperméabilisation de la cour Victoire",
     "Remove asphalt from the Victoire courtyard and replace it with permeable paving and trees.", 58000),
    ("centre-jaude", "garden", "Hôtel à insectes et prairie fleurie",
     "Insect hotels and a wildflower strip along boulevard Trudaine.", 6400),
    ("montferrand", "fruit-trees", "Haie fruitière le long de la Tiretaine",
     "A 300-metre edible hedge of hazelnut, currant and raspberry along the stream path.", 14200),
    ("montferrand", "garden", "Jardin partagé du quartier historique",
     "Shared garden with a tool shed and compost bins behind the old town hall.", 27500),
    ("montferrand", "urban-reconfiguration", "Placette végétalisée rue Kléber",
     "Convert six parking spaces into a planted pocket square with seating.", 39000),
    ("montferrand", "other", "Composteurs collectifs",
     "Ten shared compost bins with training for neighbourhood compost guides.", 7800),
    ("montferrand", "fruit-trees", "Figuiers et amandiers de la place de la Rodade",
     "Heat-tolerant fig and almond trees to shade the square in summer.", 16800),
    ("montferrand", "garden", "Potager pédagogique de l'école",
     "A teaching vegetable garden run with the primary school and retired volunteers.", 12300),
    ("croix-de-neyrat", "garden", "Jardins familiaux de Croix-de-Neyrat",
     "Thirty family allotments with water points on the unused land near the tram.", 52000),
    ("croix-de-neyrat", "fruit-trees", "Allée de cerisiers",
     "A row of forty cherry trees along the main avenue.", 24500),
    ("croix-de-neyrat", "urban-reconfiguration", "Cour d'immeuble ouverte et plantée",
     "Open and plant the courtyards between blocks B and C, with play areas.", 68000),
    ("croix-de-neyrat", "other", "Grainothèque et atelier semences",
     "A seed library and monthly seed-saving workshops at the community centre.", 3500),
    ("croix-de-neyrat", "garden", "Serre partagée",
     "A small greenhouse for seedlings shared by the neighbourhood gardens.", 19000),
    ("saint-jacques", "fruit-trees", "Verger conservatoire de variétés auvergnates",
     "Old Auvergne apple varieties grafted and planted on the hospital slope.", 23800),
    ("saint-jacques", "urban-reconfiguration", "Trottoirs plantés rue Montalembert",
     "Widen pavements and plant tree pits along rue Montalembert.", 61000),
    ("saint-jacques", "garden", "Jardin suspendu des escaliers",
     "Planters and climbing plants along the public stairways.", 8900),
    ("saint-jacques", "other", "Ruchers urbains",
     "Four beehives with a beekeeper's training programme for residents.", 5200),
    ("saint-jacques", "garden", "Forêt urbaine Miyawaki",
     "A dense native mini-forest on 400 m² of grass by the ring road.", 36500),
    ("saint-jacques", "fruit-trees", "Noyers et châtaigniers du parc",
     "Walnut and chestnut trees for shade and autumn harvests in the park.", 11700),
    ("les-vergnes", "garden", "Jardin partagé des Vergnes",
     "A shared garden with accessible raised beds for wheelchair users.", 22000),
    ("les-vergnes", "urban-reconfiguration", "Rue-jardin avenue de l'Agriculture",
     "A shared street with planting beds and a 20 km/h limit.", 54000),
    ("les-vergnes", "fruit-trees", "Verger partagé du stade",
     "Twenty fruit trees along the stadium fence with a picking calendar.", 13400),
    ("les-vergnes", "other", "Fontaines d'eau potable",
     "Three drinking fountains near play areas for hot summers.", 15600),
    ("les-vergnes", "garden", "Mare pédagogique",
     "A wildlife pond with a viewing platform for schools.", 17300),
]

BALLOT_TITLE = "Budget vert 2027 – Centre – Jaude"
CITIZEN_BIRTH_DATE = date(1994, 5, 17)


async def _ensure_voter(session: AsyncSession, citizen: Account, hood_id: int, ballot: Ballot) -> None:
    """The demo citizen lives in Centre – Jaude, has a birth date, and is on the demo ballot's roll."""
    if citizen.neighbourhood_id is None or citizen.birth_date is None:
        citizen.neighbourhood_id = citizen.neighbourhood_id or hood_id
        citizen.birth_date = citizen.birth_date or CITIZEN_BIRTH_DATE
        session.add(citizen)
    on_roll = (await session.exec(select(VoterRollEntry).where(VoterRollEntry.ballot_id == ballot.id,
                                                              VoterRollEntry.email == citizen.email))).first()
    if ballot.requires_roll and on_roll is None:
        session.add(VoterRollEntry(ballot_id=ballot.id or 0, email=citizen.email, birth_date=citizen.birth_date,
                                   neighbourhood_id=hood_id))
    await session.flush()


async def _ensure_neighbourhoods(session: AsyncSession) -> dict[str, int]:
    existing = {n.slug: n for n in (await session.exec(select(Neighbourhood))).all()}
    for slug, fr, en, population, postcodes in NEIGHBOURHOODS:
        if slug not in existing:
            hood = Neighbourhood(slug=slug, name_fr=fr, name_en=en, population=population, postcodes=postcodes)
            session.add(hood)
            await session.flush()
            existing[slug] = hood
            await record(session, actor="demo", action="neighbourhood.created", subject=f"neighbourhood:{slug}",
                         data={"slug": slug, "name_fr": fr, "name_en": en})
    return {slug: hood.id for slug, hood in existing.items() if hood.id is not None}


async def _ensure_accounts(session: AsyncSession) -> dict[str, Account]:
    accounts: dict[str, Account] = {}
    for demo in DEMO_ACCOUNTS:
        found = (await session.exec(select(Account).where(func.lower(Account.email) == demo.email))).first()
        accounts[demo.role] = found or await create_account(
            session, email=demo.email, password=demo.password, display_name=demo.name, roles=[demo.role],
            neighbourhood_slugs=list(demo.neighbourhoods), actor="demo", verified_how="demo account")
    return accounts


async def seed_demo(session: AsyncSession) -> str:
    """Create whatever part of the demo city is missing; running it again changes nothing."""
    hoods = await _ensure_neighbourhoods(session)
    accounts = await _ensure_accounts(session)
    titles = set((await session.exec(select(Proposal.title))).all())
    now = datetime.now(UTC)
    created = 0
    for index, (slug, category, title, summary, cost) in enumerate(PROPOSALS):
        if title in titles:
            continue
        proposal = Proposal(title=title, summary=summary, description=summary, category=category,
                            neighbourhood_id=hoods[slug], estimated_cost=cost, proposer_id=accounts["citizen"].id,
                            status="accepted", validated_cost=cost, submitted_at=now, reviewed_at=now,
                            feasibility_note="Checked by the parks department (demo).",
                            community="Association Clermont en transition" if index % 3 == 0 else None)
        session.add(proposal)
        await session.flush()
        created += 1
        await record(session, actor="demo", action="proposal.accepted", subject=f"proposal:{proposal.id}",
                     data={"validated_cost": cost})
    ballot = (await session.exec(select(Ballot).where(Ballot.title == BALLOT_TITLE))).first()
    if ballot is None:
        ballot = Ballot(title=BALLOT_TITLE, neighbourhood_id=hoods["centre-jaude"], budget=150_000,
                        description="Choose the greening projects for Centre – Jaude.", status="open",
                        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
                        created_by=accounts["moderator"].id, vote_format="knapsack", rule="greedy",
                        requires_roll=True)
        session.add(ballot)
        await session.flush()
        on_ballot = (await session.exec(select(Proposal).where(Proposal.neighbourhood_id == hoods["centre-jaude"],
                                                               Proposal.status == "accepted"))).all()
        assert ballot.id is not None
        for position, proposal in enumerate(sorted(on_ballot, key=lambda p: p.id or 0)):
            assert proposal.id is not None
            session.add(BallotProposal(ballot_id=ballot.id, proposal_id=proposal.id,
                                       cost=proposal.validated_cost or proposal.estimated_cost, position=position))
        await record(session, actor="demo", action="ballot.opened", subject=f"ballot:{ballot.id}",
                     data={"budget": ballot.budget})
    await _ensure_voter(session, accounts["citizen"], hoods["centre-jaude"], ballot)
    await seed_proposal_demo(session, hoods, accounts["citizen"])
    return f"Demo city: {len(hoods)} neighbourhoods, {len(titles) + created} proposals ({created} new), " \
           f"open ballot #{ballot.id} «{ballot.title}»"
