"""Pure tally engine: elections, participatory-budgeting rules, explanations and Pabulib files.

The names below are loaded on first use (PEP 562), so `greenballot tally` imports only the modules it runs.
"""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `greenballot tally` must start fast
if TYPE_CHECKING:
    from typing import Any

    from voting.tally.model import WITHDRAWN_COST, Ballot, Election, ElectionError, Project, VoteType
    from voting.tally.pabulib import PabulibError, PabulibFile, parse_pabulib
    from voting.tally.result import CODES, Explanation, TallyResult
    from voting.tally.rules import RULES, RuleError, supports, tally
    from voting.tally.tiebreak import DEFAULT_TIE_BREAK, TIE_BREAKS, TieBreakError, parse_tie_break

_HOME = {
    "voting.tally.model": ("WITHDRAWN_COST", "Ballot", "Election", "ElectionError", "Project", "VoteType"),
    "voting.tally.pabulib": ("PabulibError", "PabulibFile", "parse_pabulib"),
    "voting.tally.result": ("CODES", "Explanation", "TallyResult"),
    "voting.tally.rules": ("RULES", "RuleError", "supports", "tally"),
    "voting.tally.tiebreak": ("DEFAULT_TIE_BREAK", "TIE_BREAKS", "TieBreakError", "parse_tie_break"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

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


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
