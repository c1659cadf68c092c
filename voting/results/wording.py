"""Plain-language French and English for rules, tie-breaks and each project's explanation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from voting.i18n import gettext as _
from voting.i18n import ngettext

__all__ = ["describe_rule", "describe_tie_break", "explain"]


def describe_rule(rule: str) -> str:
    texts = {
        "greedy": _("Projects are taken from the most supported down; any project that no longer fits the "
                    "remaining budget is skipped and the next one is tried."),
        "greedy-no-skip": _("Projects are taken from the most supported down, stopping at the first one that no "
                            "longer fits the budget."),
        "greedy-threshold": _("Only projects reaching the required score are funded, from the most supported "
                              "down, skipping any that no longer fits."),
        "equalshares": _("Method of Equal Shares: the budget is split equally between voters; a project is "
                         "funded when its supporters can pay for it together from their shares, cheapest per "
                         "supporter first. Every group of voters gets a share of the budget in proportion to its "
                         "size."),
        "equalshares/add1": _("Method of Equal Shares, with each voter's share raised one euro at a time as long "
                              "as the funded projects still fit the budget (the completion cities use)."),
        "equalshares/add1/greedy": _("Method of Equal Shares with the one-euro completion, then any money left "
                                     "funds the most supported projects that still fit."),
        "equalshares/add1-comparison": _("Method of Equal Shares with the one-euro completion, compared with "
                                         "funding the most supported projects first: the latter is kept only if "
                                         "more voters have more of their projects funded by it."),
        "phragmen": _("Sequential Phragmén: projects are bought one after another so that the load on the "
                      "voters who support them stays as even as possible."),
        "irv": _("Instant-runoff: the option with the fewest first preferences is eliminated, round after round, "
                 "until one has a majority."),
        "plurality": _("The option chosen by the most voters wins."),
    }
    return texts.get(rule, rule)


def describe_tie_break(chain: str) -> str:
    steps = {"min-cost": _("the cheaper project first"), "max-cost": _("the more expensive project first"),
             "max-votes": _("the project with more supporters first"),
             "lexico": _("the project with the smaller number first")}
    parts = [steps.get(step, step) for step in chain.split(",") if step]
    return _("Ties are broken by: {steps}.").format(steps="; ".join(parts))


def explain(explanation: Mapping[str, Any], money: Callable[[Any], str]) -> str:
    """One sentence saying why a project was or was not funded."""
    code = explanation.get("code", "")
    facts = dict(explanation)
    texts: dict[str, Callable[[], str]] = {
        "selected": lambda: _("Funded: ranked {rank} with a score of {score}; {left} remained after it.").format(
            rank=facts.get("rank"), score=facts.get("score"), left=money(facts.get("left"))),
        "over-budget": lambda: _("Not funded: when its turn came (rank {rank}) only {left} remained for its cost "
                                 "of {cost}.").format(rank=facts.get("rank"), left=money(facts.get("left")),
                                                      cost=money(facts.get("cost"))),
        "not-reached": lambda: _("Not funded: the count stopped before its turn."),
        "below-threshold": lambda: _("Not funded: its score of {score} is below the required {threshold}.").format(
            score=facts.get("score"), threshold=facts.get("threshold")) if facts.get("threshold") is not None and
        facts.get("score", 0) < facts["threshold"] else _("Not funded: {supporters} voters supported it, below the "
                                                          "required {share}% of the voters.").format(
            supporters=facts.get("supporters"), share=facts.get("min_share")),
        "withdrawn": lambda: _("Withdrawn after the vote."),
        "mes-selected": lambda: _("Funded in round {round}: its {supporters} supporters paid its cost of {cost} "
                                  "from their equal shares.").format(round=facts.get("round"),
                                                                     supporters=facts.get("supporters"),
                                                                     cost=money(facts.get("cost"))),
        "underfunded": lambda: _("Not funded: its supporters together held only {held} of the {cost} it "
                                 "needed.").format(held=money(facts.get("held")), cost=money(facts.get("cost"))),
        "completed": lambda: _("Funded by the completion step: ranked {rank}; {left} remained after it.").format(
            rank=facts.get("rank"), left=money(facts.get("left"))),
        "phragmen-selected": lambda: _("Funded in round {round} of sequential Phragmén.").format(
            round=facts.get("round")),
        "winner": lambda: _("The winner."),
        "eliminated": lambda: ngettext("Eliminated in round {round} with {votes} first preference.",
                                       "Eliminated in round {round} with {votes} first preferences.",
                                       int(facts.get("votes") or 0)).format(round=facts.get("round"),
                                                                            votes=facts.get("votes")),
        "lost": lambda: _("Not chosen: fewer votes than the winner."),
        "incompatible": lambda: _("Not funded: incompatible with {other} (group {group}), funded before it.").format(
            other=facts.get("with_name") or facts.get("with"), group=facts.get("group")),
        "share-cap": lambda: _("Not funded: {group} would receive more than its cap of {percent}% of the "
                               "budget.").format(group=facts.get("group"), percent=facts.get("percent")),
        "sub-budget": lambda: (_("Not funded: the sub-budget of {group} ({amount}) has no room left for its cost "
                                 "of {cost}.") if facts.get("group") else
                               _("Not funded: the budget outside the sub-budgets ({amount}) has no room left for "
                                 "its cost of {cost}.")).format(group=facts.get("group"),
                                                                amount=money(facts.get("sub_budget")),
                                                                cost=money(facts.get("cost"))),
        "quota-selected": lambda: _("Funded first under the {group} quota: at least {percent}% of the budget goes "
                                    "to it.").format(group=facts.get("group"), percent=facts.get("percent")),
    }
    return texts[code]() if code in texts else code
