"""Shortlist selection rules: by hand, top N by supports, at least K supports."""

from __future__ import annotations

import pytest

from voting.i18n import use_language
from voting.proposals.selection import Candidate, ShortlistRefused, select_shortlist

POOL = [Candidate(1, 5), Candidate(2, 9), Candidate(3, 5), Candidate(4, 0), Candidate(5, 12)]


@pytest.fixture(autouse=True)
def english():
    use_language("en")



def test_manual_keeps_the_given_order():
    assert select_shortlist(POOL, "manual", proposal_ids=[4, 1]) == [4, 1]
    assert select_shortlist(POOL, "manual", proposal_ids=[]) == []


def test_manual_refuses_unknown_and_duplicates():
    with pytest.raises(ShortlistRefused, match="Proposal 42"):
        select_shortlist(POOL, "manual", proposal_ids=[1, 42])
    with pytest.raises(ShortlistRefused, match="twice"):
        select_shortlist(POOL, "manual", proposal_ids=[1, 1])


def test_top_n_breaks_ties_by_older_proposal():
    assert select_shortlist(POOL, "top", n=3) == [5, 2, 1]
    assert select_shortlist(POOL, "top", n=4) == [5, 2, 1, 3]
    assert select_shortlist(POOL, "top", n=50) == [5, 2, 1, 3, 4]


def test_min_supports():
    assert select_shortlist(POOL, "min_supports", k=5) == [5, 2, 1, 3]
    assert select_shortlist(POOL, "min_supports", k=0) == [5, 2, 1, 3, 4]
    assert select_shortlist(POOL, "min_supports", k=100) == []


@pytest.mark.parametrize(("mode", "kwargs"), [("top", {}), ("top", {"n": 0}), ("min_supports", {}),
                                              ("min_supports", {"k": -1}), ("random", {})])
def test_missing_or_bad_parameters(mode, kwargs):
    with pytest.raises(ShortlistRefused):
        select_shortlist(POOL, mode, **kwargs)
