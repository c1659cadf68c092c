"""What the results page shows: funded projects, spending, chart bars, explanations in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voting.results.chart import bar_chart
from voting.results.wording import describe_rule, describe_tie_break, explain

__all__ = ["ResultView", "result_view"]


@dataclass(frozen=True)
class ResultView:
    document: dict[str, Any]
    funded: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    spent: int | float
    chart: str
    rule_text: str
    tie_break_text: str
    scored: bool


def result_view(document: dict[str, Any], money: Any, chart_title: str) -> ResultView:
    scored = document["vote_type"] in ("cumulative", "ordinal")
    key = "score" if scored else "votes"
    rows = sorted(document["projects"], key=lambda p: (-p[key], p["id"]))
    rows = [{**p, "value": p[key], "why": explain(p["explanation"], money)} for p in rows]
    chart = bar_chart([(p["name"], float(p["value"]), p["selected"]) for p in rows], chart_title)
    funded = [p for p in rows if p["selected"]]
    return ResultView(document, funded, rows, document["total_cost"], chart, describe_rule(document["rule"]),
                      describe_tie_break(document["tie_break"]), scored)
