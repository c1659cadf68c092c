"""Small elections run Equal Shares and Phragmén in plain Python (no numpy): the same results as the numpy runs."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_tally_equalshares import CHAIN, near_ties

from voting.tally import Ballot, Election, Project, VoteType, parse_pabulib, tally
from voting.tally import mes_small as small_mes
from voting.tally import phragmen as phragmen_module
from voting.tally.equalshares import MesProfile
from voting.tally.greedy import scores
from voting.tally.mes_small import fits, mes_small

DATA = sorted((Path(__file__).resolve().parents[2] / "data" / "pabulib").glob("*.pb"))
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _same_mes(election: Election, per_voter: Fraction) -> None:
    mine = mes_small(election, CHAIN, per_voter)
    theirs = MesProfile(election, CHAIN).run(per_voter)
    assert [(r.project, r.round, r.price, r.payments) for r in mine.rounds] == [
        (r.project, r.round, r.price, r.payments) for r in theirs.rounds]
    assert mine.held == theirs.held
    assert mine.per_voter == theirs.per_voter


@SETTINGS
@given(near_ties(VoteType.APPROVAL))
def test_small_equal_shares_matches_the_numpy_run(case: tuple[Election, Fraction]) -> None:
    _same_mes(*case)


@settings(max_examples=100, deadline=None)
@given(near_ties(VoteType.CHOOSE_ONE))
def test_small_equal_shares_matches_on_choose_one(case: tuple[Election, Fraction]) -> None:
    _same_mes(*case)


def test_small_equal_shares_without_money_or_supporters() -> None:
    projects = [Project("a", Fraction(5)), Project("b", Fraction(0)), Project("c", Fraction(3))]
    election = Election.build(projects, 6, VoteType.APPROVAL, [Ballot(("a", "b")), Ballot(()), Ballot(("a",))])
    for per_voter in (Fraction(0), Fraction(-1), Fraction(1), Fraction(5, 2), Fraction(100)):
        _same_mes(election, per_voter)


@pytest.mark.parametrize("path", DATA, ids=lambda p: p.stem)
def test_small_paths_give_the_numpy_results_on_real_files(path: Path) -> None:
    election = parse_pabulib(path.read_text(encoding="utf-8")).election()
    for rule in ("equalshares", "phragmen"):
        try:
            plain = tally(election, rule, "lexico")
        except ValueError:  # a rule that does not accept these ballots refuses them on both paths
            continue
        with (patch.object(small_mes, "SMALL", -1), patch.object(phragmen_module, "SMALL", -1),
              patch.object(phragmen_module, "SMALL_WITHOUT_NUMPY", -1)):
            assert not fits(election)
            assert tally(election, rule, "lexico") == plain


@pytest.mark.parametrize("path", DATA, ids=lambda p: p.stem)
def test_equal_shares_over_a_threshold_gives_the_same_results_on_both_paths(path: Path) -> None:
    """A threshold filters a read file's ballots as spelled; the numpy path numbers what is left of them (it
    looked up every spelling of the file, and failed on Warszawa 2026, whose threshold leaves 35 of 83 projects)."""
    election = parse_pabulib(path.read_bytes()).election()
    if election.vote_type not in (VoteType.APPROVAL, VoteType.CHOOSE_ONE):
        pytest.skip("approval ballots only")
    counted = sorted(set(scores(election).values()))
    if len(counted) < 2:
        pytest.skip("no threshold leaves some projects out and others in")
    threshold = counted[len(counted) // 2]
    plain = tally(election, "equalshares", "lexico", threshold=threshold)
    assert plain.facts["below_threshold"]
    with patch.object(small_mes, "SMALL", -1):
        assert tally(election, "equalshares", "lexico", threshold=threshold) == plain


@SETTINGS
@given(st.data())
def test_small_phragmen_matches_the_numpy_run(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 6))
    projects = [Project(f"p{i}", Fraction(data.draw(st.integers(1, 30)), data.draw(st.sampled_from([1, 2, 3]))))
                for i in range(n)]
    ids = [p.id for p in projects]
    templates = data.draw(st.lists(st.lists(st.sampled_from(ids), unique=True, max_size=n), min_size=1, max_size=5))
    ballots = [Ballot(tuple(data.draw(st.sampled_from(templates)))) for _ in range(data.draw(st.integers(1, 30)))]
    election = Election.build(projects, data.draw(st.integers(1, 60)), VoteType.APPROVAL, ballots)
    plain = tally(election, "phragmen", "lexico")
    with patch.object(phragmen_module, "SMALL", -1), patch.object(phragmen_module, "SMALL_WITHOUT_NUMPY", -1):
        assert tally(election, "phragmen", "lexico") == plain


def test_phragmen_counts_numpy_import_only_when_not_loaded() -> None:
    """Up to SMALL_WITHOUT_NUMPY pairs a process without numpy stays in plain Python; with numpy, up to SMALL."""
    pairs = phragmen_module.SMALL + 1
    assert phragmen_module.SMALL < pairs <= phragmen_module.SMALL_WITHOUT_NUMPY
    with patch.dict(sys.modules, {"numpy": sys.modules.get("numpy") or object()}):
        assert not phragmen_module._plain(pairs)
    with patch.dict(sys.modules):
        sys.modules.pop("numpy", None)
        assert phragmen_module._plain(pairs)
        assert not phragmen_module._plain(phragmen_module.SMALL_WITHOUT_NUMPY + 1)


def test_small_files_tally_without_numpy() -> None:
    probe = ("import sys\nfrom voting.tally import parse_pabulib, tally\n"
             f"election = parse_pabulib(open({str(DATA[0])!r}, encoding='utf-8').read()).election()\n"
             "tally(election, 'equalshares'); tally(election, 'phragmen'); tally(election, 'greedy')\n"
             "print('numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
