"""Independent implementations our rules are compared with (test dependencies only)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from pabulib.checker import Checker
from pabutools.election import (
    Additive_Cardinal_Sat,
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    Project,
    parse_pabulib,
)
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares, sequential_phragmen

from voting.tally import Election, VoteType
from voting.tally.pbwrite import to_pabulib, write_pabulib


def pabutools_election(election: Election) -> tuple[Instance, object]:
    """The same election as pabutools objects."""
    projects = {p.id: Project(p.id, p.cost) for p in election.projects}
    instance = Instance(projects.values(), budget_limit=election.budget)
    if election.vote_type is VoteType.CUMULATIVE:
        profile: object = CumulativeProfile(
            [CumulativeBallot({projects[pid]: pts for pid, pts in zip(b.projects, b.points or (), strict=True)})
             for b in election.ballots],
            instance=instance,
        )
    else:
        profile = ApprovalProfile(
            [ApprovalBallot([projects[pid] for pid in b.projects]) for b in election.ballots], instance=instance
        )
    return instance, profile


def pabutools_rule(election: Election, rule: str, path: Path | None = None) -> set[str]:
    """pabutools' selected set for one of our rule names (lexicographic tie-breaking).

    With `path`, pabutools parses the file itself, so the comparison also covers our reader.
    """
    if path is not None:
        instance, profile = parse_pabulib(str(path))
    else:
        instance, profile = pabutools_election(election)
    if rule == "greedy":
        out = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    elif rule == "equalshares":
        sat = Additive_Cardinal_Sat if election.vote_type is VoteType.CUMULATIVE else Cost_Sat
        out = method_of_equal_shares(instance, profile, sat_class=sat)
    elif rule == "phragmen":
        out = sequential_phragmen(instance, profile)
    else:
        raise ValueError(rule)
    return {p.name for p in out}


def checker_add1(election: Election) -> set[str] | None:
    """pabulib-checker's Equal Shares with Add1, or None when its own tie-break leaves a tie.

    The checker raises the per-voter budget until the outcome overspends; when every supported
    project fits together that never happens and it would loop forever, so such elections get None.
    """
    supported = {pid for b in election.ballots for pid in b.projects}
    if sum(p.cost for p in election.projects if p.id in supported and p.cost > 0) <= election.budget:
        return None
    checker = Checker()
    pb = write_pabulib(to_pabulib(election, None, {"rule": "equalshares/add1"}))
    from pabulib_helpers import parse_pb_lines

    checker.meta, checker.projects, checker.votes, _, _ = parse_pb_lines(pb.split("\n"))
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return set(checker._compute_equalshares_winners(add1=True))
    except ValueError:
        return None


def read(path: Path) -> str:
    """A shared file's text."""
    return path.read_text(encoding="utf-8")
