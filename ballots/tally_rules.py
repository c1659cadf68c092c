"""The tally rules and tie-breaks a ballot may name, taken from the tally engine (the one list of names)."""

from __future__ import annotations

from ballots.formats import TALLY_VOTE_TYPES, Reason
from voting.i18n import gettext as _
from voting.tally import DEFAULT_TIE_BREAK, RULES, TIE_BREAKS, TieBreakError, VoteType, parse_tie_break, supports

__all__ = ["RULE_NAMES", "TIE_BREAK_NAMES", "DEFAULT_TIE_BREAK_TEXT", "validate_rule"]

RULE_NAMES: tuple[str, ...] = tuple(RULES)
TIE_BREAK_NAMES: tuple[str, ...] = tuple(TIE_BREAKS)
DEFAULT_TIE_BREAK_TEXT = ",".join(DEFAULT_TIE_BREAK)


def validate_rule(rule: str, tie_break: str, vote_format: str) -> list[Reason]:
    """Refusals for an unknown rule, a rule that cannot count this format's ballots, or a bad tie-break."""
    reasons: list[Reason] = []
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
