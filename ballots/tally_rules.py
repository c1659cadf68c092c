"""The tally rules and tie-breaks a ballot may name, taken from the tally engine (the one list of names)."""

from __future__ import annotations

from ballots.formats import TALLY_VOTE_TYPES, Reason
from voting.i18n import gettext as _
from voting.tally import DEFAULT_TIE_BREAK, RULES, TIE_BREAKS, TieBreakError, VoteType, parse_tie_break, supports

__all__ = ["RULE_NAMES", "TIE_BREAK_NAMES", "DEFAULT_TIE_BREAK_TEXT", "THRESHOLD_RULES", "validate_rule",
           "validate_threshold"]

RULE_NAMES: tuple[str, ...] = tuple(RULES)
TIE_BREAK_NAMES: tuple[str, ...] = tuple(TIE_BREAKS)
DEFAULT_TIE_BREAK_TEXT = ",".join(DEFAULT_TIE_BREAK)


THRESHOLD_RULES = ("greedy-threshold", "equalshares", "equalshares/add1", "equalshares/add1/greedy")
"""Rules that fund only the projects reaching a ballot's minimum score and minimum share of voters."""


def validate_threshold(rule: str, min_score: int | None, min_share: int | None) -> list[Reason]:
    """Refusals for a minimum score or share of voters out of range, or under a rule that would ignore it."""
    reasons: list[Reason] = []
    if min_score is not None and min_score < 0:
        reasons.append(Reason("threshold.score", _("The minimum score of a project cannot be negative.")))
    if min_share is not None and not 0 <= min_share <= 100:
        reasons.append(Reason("threshold.share", _("The minimum share of voters must be between 0 and 100%.")))
    if (min_score or min_share) and rule not in THRESHOLD_RULES and not (rule == "greedy-no-skip" and not min_share):
        reasons.append(Reason("threshold.rule", _("The rule {name} ignores a minimum score or share of voters; "
                                                  "choose one of {names}.").format(name=rule,
                                                                                  names=", ".join(THRESHOLD_RULES))))
    return reasons


def validate_rule(rule: str, tie_break: str, vote_format: str, min_score: int | None = None,
                  min_share: int | None = None) -> list[Reason]:
    """Refusals for an unknown rule, a rule that cannot count this format's ballots, a bad tie-break, or a
    threshold the rule would ignore."""
    reasons: list[Reason] = validate_threshold(rule, min_score, min_share)
    if rule not in RULES:
        reasons.append(Reason("rule.unknown", _("Unknown tally rule {name}; choose from {names}.").format(
            name=rule, names=", ".join(RULE_NAMES))))
    elif vote_format in TALLY_VOTE_TYPES and not supports(rule, VoteType(TALLY_VOTE_TYPES[vote_format])):
        reasons.append(Reason("rule.format", _("The rule {name} cannot count {format} ballots.").format(
            name=rule, format=vote_format)))
    try:
        parse_tie_break(tie_break)
    except TieBreakError:
        reasons.append(Reason("rule.tie_break", _("Invalid tie-break {name}; combine {names}.").format(
            name=tie_break, names=", ".join(TIE_BREAK_NAMES))))
    return reasons
