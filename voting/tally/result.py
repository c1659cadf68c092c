"""What a tally returns: the selected projects and, for every project, why."""

from __future__ import annotations

from fractions import Fraction

from voting.tally.record import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `greenballot tally` must start fast
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CODES", "Explanation", "TallyResult", "number"]

CODES: dict[str, str] = {
    "selected": "selected in turn (rank) with this score; `left` is the budget left after it",
    "over-budget": "its turn came but it cost more than the `left` budget",
    "not-reached": "greedy-no-skip or Phragmén stopped (at `stopped_at`) before its turn",
    "below-threshold": "its score is below the `threshold` the rule requires",
    "withdrawn": "withdrawn after the vote (Pabulib cost 999999999)",
    "mes-selected": "bought in round `round` by its supporters; `payments` lists who paid what",
    "underfunded": "its supporters held only `held` of the `cost` it needed",
    "completed": "added by the greedy completion after Equal Shares; `left` is the budget left",
    "phragmen-selected": "bought in round `round` when its supporters' load reached `load`",
    "winner": "the single winner (IRV: last standing; plurality: most votes)",
    "eliminated": "IRV eliminated it in round `round` with `votes` first preferences",
    "lost": "plurality: fewer votes than the winner",
    "incompatible": "not funded: `with` (of the incompatible `group`) was funded before it",
    "share-cap": "not funded: the `group` would pass its cap of `percent` % of the budget",
    "sub-budget": "not funded: the `group`'s sub-budget `sub_budget` had no room left for its `cost`",
    "quota-selected": "funded first to reach the minimum share `percent` % of the `group` (by score)",
}


def number(value: Fraction | int) -> int | float:
    """A JSON number: an int when whole, else a float."""
    if isinstance(value, int):
        return value
    return value.numerator if value.denominator == 1 else float(value)


class Explanation(Record):
    """Why one project was or was not selected: a stable `code` plus plain numbers."""

    __slots__ = ("project", "code", "selected", "facts")
    _fields = ("project", "code", "selected", "facts")
    project: str
    code: str
    selected: bool
    facts: dict[str, Any]

    def __init__(self, project: str, code: str, selected: bool, facts: dict[str, Any] | None = None) -> None:
        init = object.__setattr__
        init(self, "project", project)
        init(self, "code", code)
        init(self, "selected", selected)
        init(self, "facts", {} if facts is None else facts)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return {"project": self.project, "code": self.code, "selected": self.selected, **self.facts}


class TallyResult(Record):
    """The outcome of one rule on one election."""

    _fields = ("rule", "tie_break", "budget", "selected", "total_cost", "explanations", "facts")
    rule: str
    tie_break: tuple[str, ...]
    budget: Fraction
    selected: tuple[str, ...]
    total_cost: Fraction
    explanations: tuple[Explanation, ...]
    facts: dict[str, Any]

    def __init__(self, rule: str, tie_break: tuple[str, ...], budget: Fraction, selected: tuple[str, ...],
                 total_cost: Fraction, explanations: tuple[Explanation, ...], facts: dict[str, Any] | None = None
                 ) -> None:
        init = object.__setattr__
        init(self, "rule", rule)
        init(self, "tie_break", tie_break)
        init(self, "budget", budget)
        init(self, "selected", selected)
        init(self, "total_cost", total_cost)
        init(self, "explanations", explanations)
        init(self, "facts", {} if facts is None else facts)

    def explanation(self, project_id: str) -> Explanation:
        """The explanation for one project."""
        return next(e for e in self.explanations if e.project == project_id)

    def as_dict(self, explain: bool = False) -> dict[str, Any]:
        """Plain JSON-able data, explanations included on request."""
        data: dict[str, Any] = {
            "rule": self.rule,
            "tie_break": ",".join(self.tie_break),
            "budget": number(self.budget),
            "selected": list(self.selected),
            "total_cost": number(self.total_cost),
            **self.facts,
        }
        if explain:
            data["explanations"] = [e.as_dict() for e in self.explanations]
        return data
