"""Pure: the META and PROJECTS of an exported `election.pb`: an imported election's own fields written back, the
rule in a form pabulib-checker accepts, and how to recount it (rule, satisfaction, tie-break, completion)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from voting.tally import WITHDRAWN_COST, PabulibError, PabulibFile, VoteType
from voting.tally.pbnumbers import parse_number
from voting.tally.pbwrite import format_number

__all__ = ["CHECKER_RULES", "CONSTRAINTS_NOTE", "RULE_NOTE", "SHARE_NOTE", "Recount", "Source", "apply_source",
           "constraints_note", "recorded_constraints", "recorded_recount"]

CHECKER_RULES = frozenset({"greedy", "greedy-no-skip", "greedy-threshold", "equalshares", "equalshares/add1"})
"""Rules the format names and pabulib-checker recounts; the others are written ``unknown`` and named in
``comment``."""
TIE_BREAK_NOTE = "greenballot tie-break:"
RULE_NOTE = "greenballot rule:"
SHARE_NOTE = "minimum share of voters:"
CONSTRAINTS_NOTE = "greenballot constraints:"
_CONSTRAINT_WORDS = {"incompatible": "incompatible", "min_shares": "minimum share", "max_shares": "maximum share",
                     "sub_budgets": "sub-budget"}
_THRESHOLD_RULES = ("greedy-threshold", "greedy-no-skip", "equalshares")
_OURS = ("num_projects", "num_votes", "vote_type", "rule", "min_project_score_threshold", "fully_funded")
"""META keys that describe what was counted: ours win over an imported file's."""
_PROJECT_ORDER = ("project_id", "cost", "votes", "score", "name", "category", "beneficiaries", "selected",
                  "neighborhood", "subunit", "district", "description", "proposer", "public_id", "latitude",
                  "longitude")
_COUNTED = ("project_id", "votes", "score", "selected")
"""PROJECTS columns computed from the votes and the result (the others come from an imported file)."""


@dataclass(frozen=True)
class Source:
    """An imported election's own META and PROJECTS rows (by tally id); empty for the city's own ballots."""

    meta: Mapping[str, str] = field(default_factory=dict)
    projects: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Recount:
    """How the result was counted, as the export's META states it."""

    rule: str
    tie_break: tuple[str, ...]
    vote_type: VoteType
    min_score: int | None = None
    min_share: int | None = None
    constraints: Mapping[str, Any] | None = None
    """The ballot's constraints, their projects named by the file's ``project_id``."""

    def threshold(self, voters: int) -> int | None:
        """The minimum score META states: a share of voters folds into it where the score counts voters."""
        votes_are_score = self.vote_type in (VoteType.APPROVAL, VoteType.CHOOSE_ONE)
        share = -(-(self.min_share or 0) * voters // 100) if self.min_share and votes_are_score else 0
        found = max(self.min_score or 0, share)
        return found or None

    def meta_rule(self, voters: int, tied: bool = False) -> str:
        """The rule META can name so that pabulib-checker recounts it exactly, else ``unknown``. ``tied``: two
        projects share a cost and a number of supporters, a tie the checker's Equal Shares cannot break."""
        if self.rule not in CHECKER_RULES or constraints_note(self.constraints):
            return "unknown"  # constraints: the checker would recount without them
        if self.rule.startswith("equalshares") and (tied or self.tie_break[:2] != ("min-cost", "max-votes")):
            return "unknown"  # the checker breaks Equal Shares ties by cost then supporters, and fails on the rest
        folded = self.vote_type in (VoteType.APPROVAL, VoteType.CHOOSE_ONE) or not self.min_share
        if self.rule.startswith("equalshares") and (self.threshold(voters) or self.min_share):
            return "unknown"  # the checker's Equal Shares ignores thresholds
        if not folded:
            return "unknown"
        if self.rule == "greedy" and self.threshold(voters):
            return "unknown"
        return self.rule

    def notes(self) -> list[str]:
        """The ``comment`` items: the tie-break (read by ``greenballot verify``) and how to recount."""
        mes = self.rule.startswith("equalshares")
        how = [f"satisfaction: {_satisfaction(self.rule, self.vote_type)}"]
        if mes:
            how.append("completion: " + {"equalshares": "none", "equalshares/add1": "add1",
                                         "equalshares/add1/greedy": "add1 then greedy"}.get(self.rule, "none"))
        if self.min_score:
            how.append(f"minimum score: {self.min_score}")
        if self.min_share:
            how.append(f"{SHARE_NOTE} {self.min_share}%")
        limits = constraints_note(self.constraints)
        return [*([limits] if limits else []), f"{TIE_BREAK_NOTE} {','.join(self.tie_break)}",
                f"{RULE_NOTE} {self.rule} ({'; '.join(how)})"]


def constraints_note(constraints: Mapping[str, Any] | None) -> str:
    """The ``comment`` item stating a ballot's constraints so that an auditor can recount them ('' when none):
    ``incompatible "name" {ids}``, ``minimum share 20% "name" {ids}``, ``maximum share ...``,
    ``sub-budget 40000 "name" {ids}``, separated by ``; ``; names are JSON strings."""
    items = []
    for kind, word in _CONSTRAINT_WORDS.items():
        for group in (constraints or {}).get(kind) or ():
            limit = {"min_shares": "percent", "max_shares": "percent", "sub_budgets": "amount"}.get(kind)
            value = f" {format_number(Fraction(str(group.get(limit) or 0)))}{'%' if limit == 'percent' else ''}" \
                if limit else ""
            name = json.dumps(" ".join(str(group.get("name") or "").split()), ensure_ascii=False)
            items.append(f"{word}{value} {name} {{{','.join(str(p) for p in group.get('projects') or ())}}}")
    return f"{CONSTRAINTS_NOTE} {'; '.join(items)}" if items else ""


_CONSTRAINT = re.compile(r'(incompatible|minimum share|maximum share|sub-budget)(?: ([0-9.]+)%?)? '
                         r'("(?:[^"\\]|\\.)*") \{([^}]*)\}')


def recorded_constraints(meta: Mapping[str, str]) -> dict[str, Any] | None:
    """The constraints an export's META ``comment`` states, in their JSON form (None when it states none)."""
    comment = meta.get("comment", "")
    if CONSTRAINTS_NOTE not in comment:
        return None
    text = comment.rsplit(CONSTRAINTS_NOTE, 1)[1]  # the last: an export imported again keeps its old notes
    kinds = {word: kind for kind, word in _CONSTRAINT_WORDS.items()}
    found: dict[str, Any] = {}
    for word, value, name, ids in _CONSTRAINT.findall(text):
        kind = kinds[word]
        group: dict[str, Any] = {"name": json.loads(name), "projects": [p for p in ids.split(",") if p]}
        if kind != "incompatible":
            group["amount" if kind == "sub_budgets" else "percent"] = str(parse_number(value))
        found.setdefault(kind, []).append(group)
    return found or None


def _satisfaction(rule: str, vote_type: VoteType) -> str:
    if rule.startswith("equalshares"):
        return "points given" if vote_type is VoteType.CUMULATIVE else "cost of the approved projects funded"
    if rule == "phragmen":
        return "approval"
    if rule in ("irv", "plurality"):
        return "first preferences, one winner"
    return {VoteType.CUMULATIVE: "score = points", VoteType.ORDINAL: "score = rank points (L - rank + 1)"}.get(
        vote_type, "score = votes")


def recorded_recount(meta: Mapping[str, str]) -> tuple[str, int | None]:
    """The rule and the minimum share of voters an export's META records (its ``rule`` when ``comment`` names
    none)."""
    comment = meta.get("comment", "")
    rule = meta.get("rule", "")
    if RULE_NOTE in comment:
        words = comment.rsplit(RULE_NOTE, 1)[1].split()
        rule = words[0] if words else rule
    share = re.search(re.escape(SHARE_NOTE) + r" ([0-9]{1,3})%", comment.rsplit(RULE_NOTE, 1)[-1])
    return rule, int(share.group(1)) if share else None


def _same_number(first: str | None, second: str) -> bool:
    try:
        return first is not None and parse_number(first) == parse_number(second)
    except PabulibError:
        return False


def _comment(existing: str, notes: list[str]) -> str:
    items = len(re.findall(r"#(\d+):", existing))
    start = [existing.strip()] if existing.strip() else []
    return " ".join(start + [f"#{items + n}: {note}" for n, note in enumerate(notes, start=1)])


def apply_source(pb: PabulibFile, source: Source, recount: Recount) -> PabulibFile:
    """``pb`` (written from the counted election) with the imported file's own fields, the rule the checker
    accepts, the threshold and the recount notes."""
    meta = dict(source.meta)
    for key, value in pb.meta.items():
        if key == "budget" and _same_number(meta.get(key), value):
            continue
        if key in _OURS or key not in meta:
            meta[key] = value
    if meta.get("max_length", "").isdigit() and int(meta["max_length"]) > len(pb.projects):
        meta["max_length"] = str(len(pb.projects))  # no vote can name more: the checker refuses a larger bound
    voters = int(pb.meta["num_votes"])
    pairs = [(row.get("cost"), row.get("votes")) for row in pb.project_rows()
             if row.get("cost") != str(WITHDRAWN_COST)]
    meta["rule"] = recount.meta_rule(voters, tied=len(set(pairs)) < len(pairs))
    threshold = recount.threshold(voters)
    meta.pop("min_project_score_threshold", None)
    if threshold and meta["rule"] in _THRESHOLD_RULES + ("equalshares/add1", "unknown"):
        meta["min_project_score_threshold"] = str(threshold)
    elif meta["rule"] == "greedy-threshold":  # the checker wants the key with this rule, even at 0
        meta["min_project_score_threshold"] = "0"
    if "fully_funded" in source.meta and "fully_funded" not in pb.meta:
        meta.pop("fully_funded", None)
    meta["comment"] = _comment(source.meta.get("comment", ""), recount.notes())
    if not source.projects:
        return PabulibFile(meta, pb.project_columns, pb.projects, pb.vote_columns, pb.votes)
    columns = _columns(pb.project_columns, source)
    rows = []
    for row in pb.projects:
        counted = dict(zip(pb.project_columns, row, strict=True))
        own = source.projects.get(counted["project_id"], {})
        cells = []
        for column in columns:
            if column in _COUNTED or column not in own:
                cells.append(counted.get(column, ""))
            elif column == "cost":
                cells.append(own[column] if _same_number(own[column], counted["cost"]) else counted["cost"])
            else:
                cells.append(own[column])
        rows.append(tuple(cells))
    return PabulibFile(meta, columns, rows, pb.vote_columns, pb.votes)


def _columns(counted: list[str], source: Source) -> list[str]:
    own: list[str] = []
    for fields in source.projects.values():
        own += [column for column in fields if column not in own]
    wanted = own + [c for c in counted if c not in own]  # pabulib-checker needs a name beside `selected`
    known = {name: n for n, name in enumerate(_PROJECT_ORDER)}
    return sorted(wanted, key=lambda c: (known.get(c, len(known)), wanted.index(c)))


def exact(text: str | None) -> Fraction | None:
    """An exact number from META text, or None."""
    try:
        return parse_number(text) if text else None
    except PabulibError:
        return None
