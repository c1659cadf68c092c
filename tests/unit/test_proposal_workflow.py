"""The proposal lifecycle table, checked for every state, action and kind of actor."""

from __future__ import annotations

import itertools

import pytest

from voting.i18n import use_language
from voting.proposals.models import PROPOSAL_STATES
from voting.proposals.workflow import ACTIONS, TRANSITIONS, TransitionRefused, allowed_actions, transition

PROPOSER = {"actor_is_proposer": True, "actor_can_moderate": False}
MODERATOR = {"actor_is_proposer": False, "actor_can_moderate": True}
STRANGER = {"actor_is_proposer": False, "actor_can_moderate": False}

EXPECTED = {
    ("draft", "submit"): "submitted",
    ("changes_requested", "submit"): "submitted",
    ("submitted", "accept"): "accepted",
    ("submitted", "reject"): "rejected",
    ("submitted", "request_changes"): "changes_requested",
    ("draft", "withdraw"): "withdrawn",
    ("submitted", "withdraw"): "withdrawn",
    ("changes_requested", "withdraw"): "withdrawn",
    ("accepted", "withdraw"): "withdrawn",
}


@pytest.fixture(autouse=True)
def english():
    use_language("en")



def test_the_table_is_the_issue_workflow():
    assert TRANSITIONS == EXPECTED
    assert set(TRANSITIONS.values()) <= set(PROPOSAL_STATES)


@pytest.mark.parametrize(("state", "action"), list(itertools.product(PROPOSAL_STATES, sorted(ACTIONS))))
def test_every_state_and_action(state, action):
    actor = MODERATOR if action in {"accept", "reject", "request_changes"} else PROPOSER
    if (state, action) in EXPECTED:
        assert transition(state, action, **actor) == EXPECTED[state, action]
    else:
        with pytest.raises(TransitionRefused) as refused:
            transition(state, action, **actor)
        assert not refused.value.forbidden
        assert state in refused.value.reason


@pytest.mark.parametrize("action", ["accept", "reject", "request_changes"])
@pytest.mark.parametrize("actor", [PROPOSER, STRANGER])
def test_only_moderators_review(action, actor):
    with pytest.raises(TransitionRefused) as refused:
        transition("submitted", action, **actor)
    assert refused.value.forbidden


@pytest.mark.parametrize("action", ["accept", "reject", "request_changes"])
def test_a_moderator_does_not_review_their_own_proposal(action):
    with pytest.raises(TransitionRefused) as refused:
        transition("submitted", action, actor_is_proposer=True, actor_can_moderate=True)
    assert refused.value.forbidden
    assert "own" in refused.value.reason


@pytest.mark.parametrize("action", ["submit", "withdraw"])
@pytest.mark.parametrize("actor", [MODERATOR, STRANGER])
def test_only_the_proposer_submits_and_withdraws(action, actor):
    with pytest.raises(TransitionRefused) as refused:
        transition("draft", action, **actor)
    assert refused.value.forbidden


def test_withdrawal_is_refused_once_a_ballot_opened():
    assert transition("accepted", "withdraw", **PROPOSER, ballot_open=False) == "withdrawn"
    with pytest.raises(TransitionRefused) as refused:
        transition("accepted", "withdraw", **PROPOSER, ballot_open=True)
    assert not refused.value.forbidden
    assert "ballot" in refused.value.reason


def test_unknown_action():
    with pytest.raises(TransitionRefused, match="Unknown action"):
        transition("draft", "publish", **PROPOSER)


def test_allowed_actions_for_buttons():
    assert allowed_actions("draft", **PROPOSER) == ["submit", "withdraw"]
    assert allowed_actions("submitted", **MODERATOR) == ["accept", "reject", "request_changes"]
    assert allowed_actions("accepted", **PROPOSER, ballot_open=True) == []
    assert allowed_actions("rejected", **PROPOSER) == []
    assert allowed_actions("submitted", **STRANGER) == []
