"""The demo city: neighbourhoods, one account per role, about thirty greening proposals, an open ballot and a
published one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.census.demo_seed import seed_census_demo
from auth.models import Account
from auth.service import create_account
from ballots.models import Ballot, BallotProposal, VoterRollEntry
from voting.audit.service import record
from voting.calendar.demo_seed import seed_calendar_demo
from voting.followup.demo_seed import seed_followup_demo
from voting.maps.demo_seed import seed_map_demo
from voting.models import Neighbourhood
from voting.proposals.demo_seed import seed_proposal_demo
from voting.proposals.models import Proposal
from voting.results.demo_seed import seed_published_ballot

__all__ = ["DemoAccount", "DEMO_ACCOUNTS", "NEIGHBOURHOODS", "PROPOSALS", "BALLOT_TITLE", "BALLOT_DESCRIPTION",
           "FEASIBILITY_NOTE", "seed_demo"]


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
    DemoAccount("poll_officer", "poll-officer@demo.greenballot.test", "poll-officer-demo-2026", "Paul Assesseur",
                ("centre-jaude",)),  # where the demo's open ballot is
    DemoAccount("auditor", "auditor@demo.greenballot.test", "auditor-demo-2026", "Aude Auditrice"),
    DemoAccount("admin", "admin@demo.greenballot.test", "admin-demo-2026", "Adèle Admin"),
]

# (neighbourhood, category, title, summary, second paragraph of the description, estimated cost in euros)
PROPOSALS = [
    ("centre-jaude", "fruit-trees", "Pommiers et poiriers place de Jaude",
     "Douze pommiers et poiriers en grands bacs autour de la place, récoltés par les habitants.",
     "Une association du quartier assure la taille et organise chaque automne une cueillette ouverte à tous.",
     18500),
    ("centre-jaude", "garden", "Jardin partagé rue Fontgiève",
     "Transformer le terrain clôturé de la rue Fontgiève en potager partagé, avec des bacs surélevés.",
     "Les parcelles sont attribuées chaque printemps aux habitants qui le demandent, et un coin est réservé aux "
     "écoles voisines.", 32000),
    ("centre-jaude", "urban-reconfiguration", "Rue piétonne devant l'école Jean-Macé",
     "Fermer la rue de l'école aux voitures aux heures d'entrée et de sortie, et planter les anciennes places de "
     "stationnement.",
     "Les enfants arrivent à pied ou à vélo en sécurité, et les nouvelles plantations rafraîchissent la rue.",
     46000),
    ("centre-jaude", "garden", "Toits végétalisés de la médiathèque",
     "Une toiture végétalisée en sédum et une petite prairie pour les pollinisateurs sur le toit plat de la "
     "médiathèque.",
     "Le toit garde les salles de lecture plus fraîches en été et retient une partie de l'eau de pluie.", 74000),
    ("centre-jaude", "fruit-trees", "Verger de la place Delille",
     "Un petit verger de cerisiers et de pruniers, avec un cercle de bancs à l'ombre.",
     "Les arbres sont choisis pour supporter la chaleur de la place en plein été.", 21000),
    ("centre-jaude", "other", "Récupérateurs d'eau de pluie pour les jardins",
     "Vingt cuves de récupération d'eau de pluie raccordées aux gouttières publiques pour les jardins partagés.",
     "Les jardiniers arrosent ainsi sans eau potable pendant une bonne partie de l'été.", 9600),
    ("centre-jaude", "urban-reconfiguration", "Désimperméabilisation de la cour Victoire",
     "Retirer l'enrobé de la cour Victoire et le remplacer par un revêtement perméable planté d'arbres.",
     "L'eau de pluie s'infiltre de nouveau dans le sol au lieu de saturer les égouts à chaque orage.", 58000),
    ("centre-jaude", "garden", "Hôtel à insectes et prairie fleurie",
     "Des hôtels à insectes et une bande de fleurs sauvages le long du boulevard Trudaine.",
     "La prairie n'est fauchée qu'une fois par an, à l'automne, pour laisser les pollinisateurs finir leur cycle.",
     6400),
    ("montferrand", "fruit-trees", "Haie fruitière le long de la Tiretaine",
     "Une haie comestible de 300 mètres, noisetiers, groseilliers et framboisiers, le long du chemin de la "
     "Tiretaine.",
     "Les promeneurs cueillent librement ; des panneaux présentent chaque espèce et sa saison.", 14200),
    ("montferrand", "garden", "Jardin partagé du quartier historique",
     "Un jardin partagé avec un abri à outils et des bacs à compost derrière l'ancien hôtel de ville.",
     "Il s'adresse d'abord aux habitants du vieux Montferrand qui n'ont ni cour ni balcon.", 27500),
    ("montferrand", "urban-reconfiguration", "Placette végétalisée rue Kléber",
     "Transformer six places de stationnement en une placette plantée, avec des bancs.",
     "Les arbres plantés en pleine terre donneront de l'ombre aux passants dès le deuxième été.", 39000),
    ("montferrand", "other", "Composteurs collectifs",
     "Dix composteurs partagés et une formation de guides composteurs pour le quartier.",
     "Les guides accueillent les habitants lors de permanences et veillent au bon équilibre des bacs.", 7800),
    ("montferrand", "fruit-trees", "Figuiers et amandiers de la place de la Rodade",
     "Des figuiers et des amandiers résistants à la chaleur pour ombrager la place en été.",
     "Ces essences du Midi supportent les sécheresses, de plus en plus fréquentes en Auvergne.", 16800),
    ("montferrand", "garden", "Potager pédagogique de l'école",
     "Un potager pédagogique animé avec l'école primaire et des bénévoles retraités.",
     "Les élèves sèment au printemps et récoltent à la rentrée.", 12300),
    ("croix-de-neyrat", "garden", "Jardins familiaux de Croix-de-Neyrat",
     "Trente jardins familiaux avec points d'eau sur le terrain inutilisé près du tram.",
     "Les parcelles sont proposées en priorité aux familles des immeubles voisins.", 52000),
    ("croix-de-neyrat", "fruit-trees", "Allée de cerisiers",
     "Une rangée de quarante cerisiers le long de l'avenue principale.",
     "Leur floraison, chaque printemps, pourra devenir une petite fête de quartier.", 24500),
    ("croix-de-neyrat", "urban-reconfiguration", "Cour d'immeuble ouverte et plantée",
     "Ouvrir et planter les cours entre les bâtiments B et C, avec des aires de jeux.",
     "Les locataires choisissent ensemble les jeux et les plantations.", 68000),
    ("croix-de-neyrat", "other", "Grainothèque et atelier semences",
     "Une grainothèque et des ateliers mensuels pour apprendre à garder ses semences, à la maison de quartier.",
     "Chacun peut y déposer ou emprunter des graines librement, sans inscription.", 3500),
    ("croix-de-neyrat", "garden", "Serre partagée",
     "Une petite serre à semis partagée par les jardins du quartier.",
     "Les jeunes plants y passent la fin de l'hiver à l'abri du gel avant d'être repiqués.", 19000),
    ("saint-jacques", "fruit-trees", "Verger conservatoire de variétés auvergnates",
     "D'anciennes variétés de pommes d'Auvergne greffées et plantées sur le coteau de l'hôpital.",
     "Le verger garde vivantes des variétés locales devenues rares.", 23800),
    ("saint-jacques", "urban-reconfiguration", "Trottoirs plantés rue Montalembert",
     "Élargir les trottoirs et creuser des fosses d'arbres le long de la rue Montalembert.",
     "Les piétons gagnent de la place, et l'ombre des arbres rafraîchit la rue en été.", 61000),
    ("saint-jacques", "garden", "Jardin suspendu des escaliers",
     "Des jardinières et des plantes grimpantes le long des escaliers publics.",
     "Les habitants des immeubles riverains se relaient pour l'arrosage.", 8900),
    ("saint-jacques", "other", "Ruchers urbains",
     "Quatre ruches et une formation à l'apiculture pour les habitants.",
     "Le miel récolté est partagé lors d'une fête de quartier à la fin de l'été.", 5200),
    ("saint-jacques", "garden", "Forêt urbaine Miyawaki",
     "Une mini-forêt dense d'essences locales sur 400 m² de pelouse au bord de la rocade.",
     "Plantée serrée selon la méthode Miyawaki, elle pousse vite et atténue le bruit de la circulation.", 36500),
    ("saint-jacques", "fruit-trees", "Noyers et châtaigniers du parc",
     "Des noyers et des châtaigniers pour l'ombre et les récoltes d'automne dans le parc.",
     "Les noix et les châtaignes sont ramassées lors d'une journée de cueillette ouverte à tous.", 11700),
    ("les-vergnes", "garden", "Jardin partagé des Vergnes",
     "Un jardin partagé avec des bacs surélevés accessibles en fauteuil roulant.",
     "Les allées sont larges et stabilisées, et le point d'eau est posé à bonne hauteur.", 22000),
    ("les-vergnes", "urban-reconfiguration", "Rue-jardin avenue de l'Agriculture",
     "Une rue partagée avec des massifs plantés et une vitesse limitée à 20 km/h.",
     "Piétons et cyclistes y sont prioritaires ; les riverains continuent d'y circuler au pas.", 54000),
    ("les-vergnes", "fruit-trees", "Verger partagé du stade",
     "Vingt arbres fruitiers le long de la clôture du stade, avec un calendrier de cueillette.",
     "Le calendrier, affiché à l'entrée du stade, dit quels fruits sont mûrs chaque semaine.", 13400),
    ("les-vergnes", "other", "Fontaines d'eau potable",
     "Trois fontaines d'eau potable près des aires de jeux, pour les étés chauds.",
     "Elles sont coupées en hiver pour éviter le gel et remises en service au printemps.", 15600),
    ("les-vergnes", "garden", "Mare pédagogique",
     "Une mare pour la faune sauvage, avec un ponton d'observation pour les écoles.",
     "Grenouilles, libellules et tritons y trouvent refuge, et les classes viennent les observer au fil des saisons.",
     17300),
]

BALLOT_TITLE = "Budget vert 2027 – Centre – Jaude"
BALLOT_DESCRIPTION = ("Choisissez les projets de végétalisation du quartier Centre – Jaude, dans la limite du budget "
                      "de 150\u202f000\u00a0€.")
FEASIBILITY_NOTE = "Vérifié par le service des espaces verts (démo)."
CITIZEN_BIRTH_DATE = date(1994, 5, 17)


async def _ensure_voter(session: AsyncSession, citizen: Account, hood_id: int, ballot: Ballot) -> None:
    """The demo citizen lives in Centre – Jaude and has a birth date (and is on the roll, if the ballot has one)."""
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


async def _ensure_accounts(session: AsyncSession, password_hashes: dict[str, str]) -> dict[str, Account]:
    accounts: dict[str, Account] = {}
    for demo in DEMO_ACCOUNTS:
        found = (await session.exec(select(Account).where(func.lower(Account.email) == demo.email))).first()
        accounts[demo.role] = found or await create_account(
            session, email=demo.email, password=demo.password, display_name=demo.name, roles=[demo.role],
            neighbourhood_slugs=list(demo.neighbourhoods), actor="demo", verified_how="demo account",
            password_hash=password_hashes.get(demo.email))
    return accounts


async def seed_demo(session: AsyncSession, key_secret: str | None = None,
                    password_hashes: dict[str, str] | None = None) -> str:
    """Create whatever part of the demo city is missing; running it again changes nothing.

    ``key_secret`` decrypts the signing key that signs the published ballot's vote-log checkpoint;
    ``password_hashes`` (by e-mail) are the demo accounts' password hashes if they were made beforehand."""
    hoods = await _ensure_neighbourhoods(session)
    accounts = await _ensure_accounts(session, password_hashes or {})
    titles = set((await session.exec(select(Proposal.title))).all())
    now = datetime.now(UTC)
    created = 0
    for index, (slug, category, title, summary, detail, cost) in enumerate(PROPOSALS):
        if title in titles:
            continue
        proposal = Proposal(title=title, summary=summary, description=f"{summary}\n\n{detail}", category=category,
                            neighbourhood_id=hoods[slug], estimated_cost=cost, proposer_id=accounts["citizen"].id,
                            status="accepted", validated_cost=cost, submitted_at=now, reviewed_at=now,
                            feasibility_note=FEASIBILITY_NOTE,
                            community="Association Clermont en transition" if index % 3 == 0 else None)
        session.add(proposal)
        await session.flush()
        created += 1
        await record(session, actor="demo", action="proposal.accepted", subject=f"proposal:{proposal.id}",
                     data={"validated_cost": cost})
    ballot = (await session.exec(select(Ballot).where(Ballot.title == BALLOT_TITLE))).first()
    if ballot is None:
        ballot = Ballot(title=BALLOT_TITLE, neighbourhood_id=hoods["centre-jaude"], budget=150_000,
                        description=BALLOT_DESCRIPTION, status="open",
                        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
                        created_by=accounts["moderator"].id, vote_format="knapsack", rule="greedy")
        session.add(ballot)
        await session.flush()
        on_ballot = (await session.exec(select(Proposal).where(Proposal.neighbourhood_id == hoods["centre-jaude"],
                                                               Proposal.status == "accepted"))).all()
        assert ballot.id is not None
        for position, proposal in enumerate(sorted(on_ballot, key=lambda p: p.id or 0)):
            assert proposal.id is not None
            session.add(BallotProposal(ballot_id=ballot.id, proposal_id=proposal.id,
                                       cost=proposal.validated_cost or proposal.estimated_cost or 0,
                                       position=position))
        await record(session, actor="demo", action="ballot.opened", subject=f"ballot:{ballot.id}",
                     data={"budget": ballot.budget})
    await _ensure_voter(session, accounts["citizen"], hoods["centre-jaude"], ballot)
    await seed_proposal_demo(session, hoods, accounts["citizen"])
    await seed_calendar_demo(session, ballot)
    past = await seed_published_ballot(session, hoods["montferrand"], accounts["moderator"], key_secret)
    await seed_map_demo(session)  # boundaries and places: the maps' base layer without tiles
    await seed_followup_demo(session, past.id, accounts["moderator"])  # a funded project under way, a work day to come
    census = await seed_census_demo(session, accounts)
    return f"Demo city: {len(hoods)} neighbourhoods, {len(titles) + created} proposals ({created} new), " \
           f"open ballot #{ballot.id} «{ballot.title}», published ballot #{past.id} «{past.title}» " \
           f"(results at /ballots/{past.id}/results); {census}"
