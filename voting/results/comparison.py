"""The results page's "compare the rules" section: computed once per stored result (its SHA-256), then kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from sqlmodel.ext.asyncio.session import AsyncSession

from voting.results.cache import DigestCache
from voting.results.document import build_election, tally_ids
from voting.results.result_page import ResultPage
from voting.results.service import ballot_contents, ballot_input, ballot_projects

if TYPE_CHECKING:
    from voting.tally.result import TallyResult

__all__ = ["ComparedRow", "RulesCompared", "rules_compared"]

_kept = DigestCache(64)  # one small entry per ballot result; the votes behind a digest never change


@dataclass(frozen=True)
class ComparedRow:
    """One line of a table: a label and its cells, already formatted."""

    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class RulesCompared:
    """What the template shows: the rule names, one row per rule's outcome and one per voter group."""

    rules: tuple[str, ...]
    outcomes: tuple[ComparedRow, ...]
    groups: tuple[ComparedRow, ...]


async def rules_compared(session: AsyncSession, page: ResultPage, money: Callable[[Any], str],
                         other: str) -> RulesCompared | None:
    """What greedy, Equal Shares and Phragmén fund from this result's votes (None if the ballots allow none)."""
    from voting.tally.rule_comparison import compare_rules
    from voting.tally.tiebreak import parse_tie_break

    ballot = page.stored.ballot
    assert ballot.id is not None
    data: dict[str, Any] | None = _kept.get(("compare", ballot.id, page.digest))
    if data is None:
        projects = await ballot_projects(session, ballot.id)
        election = build_election(ballot_input(ballot), projects, await ballot_contents(session, ballot.id))
        chain = parse_tie_break(ballot.tie_break)
        known = _official(page.stored.document, tally_ids(projects), chain)
        # a rule such as Add1 may take seconds on a city's votes: off the event loop, once per result
        compared = await anyio.to_thread.run_sync(lambda: compare_rules(election, chain, known))
        names = {p.id: p.name or p.id for p in election.projects}
        data = {**compared.as_dict(), "names": names}
        _kept.put(("compare", ballot.id, page.digest), data)
    if not data["outcomes"]:
        return None
    outcomes = tuple(ComparedRow(o["rule"], (str(len(o["selected"])), money(o["total_cost"]), str(o["satisfied"])))
                     for o in data["outcomes"])
    groups = tuple(ComparedRow(data["names"].get(g["project"], other) if g["project"] is not None else other,
                               (str(g["voters"]), *(money(v) for v in g["per_voter"])))
                   for g in data["groups"])
    return RulesCompared(tuple(o["rule"] for o in data["outcomes"]), outcomes, groups)


def _official(document: dict[str, Any], ids: dict[int, str], chain: tuple[str, ...]) -> dict[str, TallyResult]:
    """The stored result itself when its rule is one of those compared: it is not run a second time."""
    from voting.tally.result import TallyResult
    from voting.tally.rule_comparison import COMPARED_RULES

    if document.get("rule") not in COMPARED_RULES:
        return {}
    selected = tuple(ids[int(pid)] for pid in document["selected"])
    result = TallyResult(document["rule"], chain, Fraction(str(document["budget"])), selected,
                         Fraction(str(document["total_cost"])), ())
    return {document["rule"]: result}
