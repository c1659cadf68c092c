"""Pure tally engine: elections, participatory-budgeting rules, explanations and Pabulib files."""

from voting.tally.model import WITHDRAWN_COST, Ballot, Election, ElectionError, Project, VoteType
from voting.tally.pabulib import PabulibError, PabulibFile, parse_pabulib
from voting.tally.result import CODES, Explanation, TallyResult
from voting.tally.rules import RULES, RuleError, supports, tally
from voting.tally.tiebreak import DEFAULT_TIE_BREAK, TIE_BREAKS, TieBreakError, parse_tie_break

__all__ = [
    "CODES",
    "DEFAULT_TIE_BREAK",
    "RULES",
    "TIE_BREAKS",
    "WITHDRAWN_COST",
    "Ballot",
    "Election",
    "ElectionError",
    "Explanation",
    "PabulibError",
    "PabulibFile",
    "Project",
    "RuleError",
    "TallyResult",
    "TieBreakError",
    "VoteType",
    "parse_pabulib",
    "parse_tie_break",
    "supports",
    "tally",
]
