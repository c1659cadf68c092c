"""The rules by Pabulib name, the ballots each accepts, and :func:`tally` to run one."""

from __future__ import annotations

from fractions import Fraction

from voting.tally.model import Ballots, Election, VoteType
from voting.tally.result import TallyResult
from voting.tally.tiebreak import DEFAULT_TIE_BREAK, parse_tie_break

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `greenballot tally` must start fast
if TYPE_CHECKING:
    from voting.tally.add1 import Progress

__all__ = ["RULES", "RuleError", "supports", "tally"]

_ALL = frozenset(VoteType)
_APPROVAL = frozenset({VoteType.APPROVAL, VoteType.CHOOSE_ONE})
_MES = _APPROVAL | {VoteType.CUMULATIVE}

RULES: dict[str, tuple[frozenset[VoteType], str]] = {
    "greedy": (_ALL, "fund by score, skipping what no longer fits"),
    "greedy-no-skip": (_ALL, "fund by score, stop at the first project that does not fit"),
    "greedy-threshold": (_ALL, "greedy over the projects whose score reaches the threshold"),
    "equalshares": (_MES, "Method of Equal Shares"),
    "equalshares/add1": (_MES, "Equal Shares completed by Add1"),
    "equalshares/add1/greedy": (_MES, "Equal Shares, Add1, then greedy on what is left"),
    "equalshares/add1-comparison": (_APPROVAL, "Equal Shares with Add1, or greedy if more voters prefer it"),
    "phragmen": (_APPROVAL, "sequential Phragmén"),
    "irv": (frozenset({VoteType.ORDINAL, VoteType.CHOOSE_ONE}), "instant-runoff, one winner"),
    "plurality": (frozenset({VoteType.CHOOSE_ONE}), "most votes, one winner"),
}


class RuleError(ValueError):
    """An unknown rule, or a rule that does not accept the election's ballots."""


def supports(rule: str, vote_type: VoteType) -> bool:
    """True when `rule` exists and accepts ballots of `vote_type`."""
    return rule in RULES and vote_type in RULES[rule][0]


def tally(
    election: Election,
    rule: str = "greedy",
    tie_break: str | tuple[str, ...] = DEFAULT_TIE_BREAK,
    *,
    threshold: Fraction | int | None = None,
    progress: Progress | None = None,
    min_share: Fraction | int | None = None,
) -> TallyResult:
    """Run `rule` on `election`; `threshold` overrides the election's minimum score. Equal Shares and
    greedy-threshold fund only projects reaching it and supported by `min_share` percent of the voters."""
    if rule not in RULES:
        raise RuleError(f"unknown rule {rule!r}; choose from {', '.join(RULES)}")
    if not supports(rule, election.vote_type):
        raise RuleError(f"rule {rule!r} does not accept {election.vote_type} ballots")
    chain = parse_tie_break(tie_break)
    limit = Fraction(threshold) if threshold is not None else election.threshold
    share = Fraction(min_share) if min_share else None
    if rule.startswith("equalshares") and (limit or share) or rule == "greedy-threshold" and share:
        from voting.tally.threshold import with_threshold

        return with_threshold(election, limit, share, lambda fundable: tally(fundable, rule, chain, threshold=0,
                                                                             progress=progress))
    # each rule's module is imported when it runs: a process running one rule loads only that one
    if rule.startswith("greedy"):
        from voting.tally.greedy import greedy

        if rule == "greedy":
            return greedy(election, chain)
        if rule == "greedy-no-skip":
            return greedy(election, chain, rule=rule, skip=False, threshold=limit)
        return greedy(election, chain, rule=rule, threshold=limit or Fraction(0))
    if rule == "phragmen":
        from voting.tally.phragmen import phragmen

        return phragmen(election, chain)
    if rule in ("irv", "plurality"):
        from voting.tally.single import irv, plurality

        return (irv if rule == "irv" else plurality)(election, chain)
    return _equal_shares(election, rule, chain, progress)


def _equal_shares(
    election: Election, rule: str, chain: tuple[str, ...], progress: Progress | None
) -> TallyResult:
    from voting.tally.mes_result import mes_result

    if rule == "equalshares":
        from voting.tally.mes_small import SMALL, fits, mes_small

        per_voter = election.budget / election.voters if election.voters else Fraction(0)
        # a read file's ballots are counted before `fits` makes their id strings (which a large one never needs)
        if (not isinstance(election.ballots, Ballots) or election.ballots.pairs() <= SMALL) and fits(election):
            return mes_result(election, rule, chain, mes_small(election, chain, per_voter))
    from voting.tally.equalshares import MesProfile

    prof = MesProfile(election, chain)
    if rule == "equalshares":
        return mes_result(election, rule, chain, prof.run(per_voter))
    from voting.tally.add1 import add1

    outcome = prof.run(add1(prof, election.budget, progress).per_voter)
    if rule == "equalshares/add1":
        return mes_result(election, rule, chain, outcome)
    if rule == "equalshares/add1-comparison":
        from voting.tally.mes_comparison import with_comparison

        return with_comparison(election, chain, mes_result(election, rule, chain, outcome))
    from voting.tally.greedy import greedy_fill

    return mes_result(election, rule, chain, outcome, greedy_fill(election, chain, outcome.winners))
