"""Compare our outcome under a file's recorded rule with the city's official `selected` column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voting.tally.pabulib import PabulibFile
from voting.tally.result import TallyResult
from voting.tally.rules import RuleError, supports, tally
from voting.tally.tiebreak import DEFAULT_TIE_BREAK

__all__ = ["CheckReport", "check_official", "default_rule"]


@dataclass(frozen=True)
class CheckReport:
    """Whether we reproduce the official result, and the projects on which we differ."""

    rule: str
    reproduced: bool
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    result: TallyResult

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return {"rule": self.rule, "reproduced": self.reproduced, "missing": list(self.missing),
                "extra": list(self.extra), **{k: v for k, v in self.result.as_dict().items() if k != "rule"}}


def default_rule(pb: PabulibFile) -> str:
    """The file's `rule` when we implement it for its ballots, else `greedy`."""
    rule = pb.meta.get("rule", "").strip()
    election = pb.election()
    return rule if supports(rule, election.vote_type) else "greedy"


def check_official(pb: PabulibFile, tie_break: str | tuple[str, ...] = DEFAULT_TIE_BREAK, progress: Any = None
                   ) -> CheckReport:
    """Run the recorded rule and compare with the `selected` column (RuleError when we cannot)."""
    rule = pb.meta.get("rule", "").strip() or "unknown"
    official = pb.selected_ids()
    if official is None:
        raise RuleError("the file has no 'selected' column to compare with")
    election = pb.election()
    if not supports(rule, election.vote_type):
        raise RuleError(f"the recorded rule {rule!r} is not one we implement, so it cannot be checked")
    result = tally(election, rule, tie_break, progress=progress)
    ours, theirs = set(result.selected), set(official)
    missing = tuple(sorted(theirs - ours))
    extra = tuple(sorted(ours - theirs))
    return CheckReport(rule, not missing and not extra, missing, extra, result)
