"""Turn an Equal Shares run (optionally completed) into a :class:`TallyResult` with explanations."""

from __future__ import annotations

from fractions import Fraction

from voting.tally.mes_types import MesOutcome
from voting.tally.model import Election
from voting.tally.result import Explanation, TallyResult, number

__all__ = ["mes_result"]


def mes_result(
    election: Election,
    rule: str,
    chain: tuple[str, ...],
    outcome: MesOutcome,
    completed: tuple[list[str], dict[str, Explanation]] = ([], {}),
) -> TallyResult:
    """Explain every project: bought (with payments), completed, withdrawn or underfunded."""
    added, completion = completed
    bought = {r.project: r for r in outcome.rounds}
    notes = []
    for p in election.projects:
        if p.id in bought:
            r = bought[p.id]
            payments = [{"amount": number(a), "voters": k} for a, k in r.payments]
            facts = {"round": r.round, "cost": number(p.cost), "supporters": sum(k for _, k in r.payments),
                     "payments": payments}
            notes.append(Explanation(p.id, "mes-selected", True, facts))
        elif p.id in completion:
            notes.append(completion[p.id])
        elif p.withdrawn:
            notes.append(Explanation(p.id, "withdrawn", False, {"cost": number(p.cost)}))
        else:
            facts = {"cost": number(p.cost), "held": number(outcome.held.get(p.id, Fraction(0)))}
            notes.append(Explanation(p.id, "underfunded", False, facts))
    chosen = outcome.winners + added
    total = sum((election.project_by_id[p].cost for p in chosen), Fraction(0))
    facts = {"per_voter_budget": number(outcome.per_voter)}
    return TallyResult(rule, chain, election.budget, tuple(chosen), total, tuple(notes), facts)
