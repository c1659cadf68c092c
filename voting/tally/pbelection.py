"""Turn a read Pabulib file into an election, checking it whole: ids, amounts, counts and the vote lists."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import chain, repeat

from voting.tally.model import Ballot, Ballots, Election, Project, VoteType
from voting.tally.pbnumbers import PabulibError, parse_amount, parse_count, parse_number, shown
from voting.tally.pbvotes import VoteReader

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `greenballot tally` must start fast
if TYPE_CHECKING:
    from voting.tally.pabulib import PabulibFile

__all__ = ["build_election", "COUNT_KEYS", "AMOUNT_KEYS"]

COUNT_KEYS = ("num_projects", "num_votes", "min_length", "max_length", "min_sum_points", "max_sum_points",
              "min_points", "max_points")
"""META keys holding a whole number: checked even when the tally does not use them."""
AMOUNT_KEYS = ("max_sum_cost", "min_sum_cost", "min_project_score_threshold")
"""META keys holding a non-negative decimal."""


def build_election(pb: PabulibFile, *, lenient: bool = False) -> Election:
    """The election of ``pb``; :class:`PabulibError` for anything that is not exactly one election.

    Besides the format, the file must agree with itself: META ``num_projects``/``num_votes`` with the sections,
    each project's ``votes`` column with the votes cast, and no project or voter may appear twice. This is how a
    file cut short, or a voter copied twice, is refused instead of tallied.

    ``lenient`` turns those two cross-checks (the counts and the ``votes`` column) into entries of
    ``pb.warnings``: for a reader that reports every problem (``verify``), never for a tally that is trusted.
    """
    pb.warnings.clear()

    def deviation(error: PabulibError) -> None:
        if not lenient:
            raise error
        pb.warnings.append(str(error))

    meta = pb.meta
    for key in ("budget", "vote_type"):
        if key not in meta:
            raise PabulibError(f"META lacks {key!r}", pb.lines.get("meta"), key)
    budget = parse_amount(meta["budget"], pb.meta_lines.get("budget"), "budget")
    try:
        kind = VoteType(meta["vote_type"].strip())
    except ValueError:
        raise PabulibError(f"unsupported vote_type {shown(meta['vote_type'])}", pb.meta_lines.get("vote_type"),
                           "vote_type") from None
    counts = {key: parse_count(meta[key], pb.meta_lines.get(key), key) for key in COUNT_KEYS
              if meta.get(key, "").strip()}
    amounts = {key: parse_number(meta[key], pb.meta_lines.get(key), key) for key in AMOUNT_KEYS
               if meta.get(key, "").strip()}
    projects = _projects(pb)
    _same_count(pb, "num_projects", counts, len(projects), "projects in the PROJECTS section", deviation)
    ballots, support = _ballots(pb, kind, tuple(p.id for p in projects))
    _same_count(pb, "num_votes", counts, len(ballots), "votes in the VOTES section", deviation)
    _check_votes_column(pb, support, deviation)
    return Election(tuple(projects), budget, kind, ballots, counts.get("max_length"),
                    amounts.get("min_project_score_threshold"), dict(meta))


def _same_count(pb: PabulibFile, key: str, counts: dict[str, int], found: int, what: str,
                deviation: Callable[[PabulibError], None]) -> None:
    if key in counts and counts[key] != found:
        deviation(PabulibError(f"META says {counts[key]} but the file has {found} {what} (is it cut short or "
                           "padded?)", pb.meta_lines.get(key), key))


def _projects(pb: PabulibFile) -> list[Project]:
    columns = pb.project_columns
    cost_col = columns.index("cost")
    name_col = columns.index("name") if "name" in columns else None
    seen: set[str] = set()
    projects = []
    for index, row in enumerate(pb.projects):
        number = pb.line_of("projects", index)
        pid = row[0].strip()
        if not pid:
            raise PabulibError("empty project id", number, "project_id")
        if pid in seen:
            raise PabulibError(f"project {shown(pid)} appears twice", number, "project_id")
        seen.add(pid)
        cost = parse_amount(row[cost_col], number, "cost")
        name = row[name_col].strip() if name_col is not None else ""
        projects.append(Project(pid, cost, name))
    return projects


def _ballots(pb: PabulibFile, kind: VoteType, order: tuple[str, ...]) -> tuple[Ballots, dict[str, int]]:
    """The ballots, and how many voters name each project (with points above zero for cumulative votes).

    Each distinct (vote, points) text is read once: real files repeat the same few thousand ballots.
    """
    columns = pb.vote_columns
    if kind is VoteType.CUMULATIVE and "points" not in columns:
        raise PabulibError("cumulative votes need a 'points' column", pb.lines.get("votes"), "points")
    votes = pb._votes
    if votes is None or (votes.points_col is not None) is not (kind is VoteType.CUMULATIVE):
        votes = VoteReader(columns, kind is VoteType.CUMULATIVE)
        votes.add_rows(pb.votes, [pb.line_of("votes", n) for n in range(len(pb.votes))])
    if votes.problem is not None:
        raise votes.problem
    ids = set(order)
    plain = _plain_ballots(list(votes.keys), ids, kind) if votes.points_col is None else None  # type: ignore[arg-type] # bytes: no points
    if plain is not None:
        parts, named, spelled = plain
        ballots = Ballots(None, votes.index, votes.times, projects=parts, named=named, spelled=spelled)
        return ballots, ballots.approvals()
    canonical = {pid: pid for pid in ids}
    made = []
    support: dict[str, int] = {}
    for text, times in zip(votes.keys, votes.times, strict=True):
        try:
            ballot = _ballot(text, canonical, kind)
        except PabulibError as error:
            raise PabulibError(error.reason, votes.first_line(text), error.field) from None
        made.append(ballot)
        if ballot.points is None:
            for pid in ballot.projects:
                support[pid] = support.get(pid, 0) + times
        else:
            for pid, given in zip(ballot.projects, ballot.points, strict=True):
                if given > 0:
                    support[pid] = support.get(pid, 0) + times
    return Ballots(made, votes.index, votes.times), support


def _plain_ballots(keys: list[bytes], ids: set[str], kind: VoteType
                   ) -> tuple[list[list[bytes]], Counter[bytes], dict[bytes, str]] | None:
    """The projects of vote texts (UTF-8) that need no cleaning (exact ids, no repeat), checked all at once, as
    spelled; how many texts name each spelling; and each spelling's id (for :class:`Ballots` to make id strings
    only if a rule asks). None when one needs the per-ballot reading (which also names the line of a bad one).

    Every step is one C loop over the texts or their names: split, counted by spelling (whose hashes the repeat
    check then reuses); no name is looked up by id here."""
    parts = list(map(bytes.split, keys, repeat(b",")))
    named = Counter(chain.from_iterable(parts))
    own = {pid.encode("utf-8"): pid for pid in ids}
    if not own.keys() >= named.keys():  # an unknown name, or an empty text (read one by one)
        return None
    if kind is VoteType.CHOOSE_ONE and max(map(len, parts), default=0) > 1:
        return None
    if sum(map(len, map(set, parts))) != sum(named.values()):
        return None
    return parts, named, own  # id strings, tuples and Ballot objects made only if a rule asks for them


def _ballot(key: object, ids: dict[str, str], kind: VoteType) -> Ballot:
    if isinstance(key, tuple):
        chosen = _vote_list(key[0].decode("utf-8"), ids, kind)
        return Ballot(chosen, _points(key[1].decode("utf-8"), len(chosen)))
    assert isinstance(key, bytes)
    return Ballot(_vote_list(key.decode("utf-8"), ids, kind))


def _check_votes_column(pb: PabulibFile, support: dict[str, int], deviation: Callable[[PabulibError], None]) -> None:
    """A PROJECTS ``votes`` column must give, for each project, the number of voters who named it."""
    if "votes" not in pb.project_columns:
        return
    col = pb.project_columns.index("votes")
    for index, row in enumerate(pb.projects):
        number = pb.line_of("projects", index)
        stated = parse_count(row[col], number, "votes")
        counted = support.get(row[0].strip(), 0)
        if stated != counted:
            deviation(PabulibError(f"project {shown(row[0].strip())} has {stated} votes here but {counted} in "
                                   "the VOTES section (is the file cut short?)", number, "votes"))


def _vote_list(text: str, ids: dict[str, str], kind: VoteType) -> tuple[str, ...]:
    chosen = tuple(text.split(","))
    if not text or not ids.keys() >= set(chosen):
        chosen = tuple(item.strip() for item in chosen if item.strip())
        for pid in chosen:
            if pid not in ids:
                raise PabulibError(f"vote names unknown project {shown(pid)}", None, "vote")
    if len(set(chosen)) != len(chosen):
        raise PabulibError("vote names a project twice", None, "vote")
    chosen = tuple(map(ids.__getitem__, chosen))  # the project's own id strings: one copy for all ballots
    if kind is VoteType.CHOOSE_ONE and len(chosen) > 1:
        raise PabulibError("a choose-1 vote names more than one project", None, "vote")
    return chosen


def _points(text: str, count: int) -> tuple[int, ...]:
    points = tuple(parse_count(item, None, "points") for item in text.split(",") if item.strip())
    if len(points) != count:
        raise PabulibError(f"{len(points)} points for {count} projects", None, "points")
    return points
