"""The proposal lifecycle as a table: which actor may take which action from which state."""

from __future__ import annotations

from voting.i18n import gettext as _

__all__ = ["ACTIONS", "REVIEW_ACTIONS", "EDITABLE_STATES", "TRANSITIONS", "TransitionRefused", "transition",
           "allowed_actions"]

REVIEW_ACTIONS = frozenset({"accept", "reject", "request_changes"})
PROPOSER_ACTIONS = frozenset({"submit", "withdraw"})
ACTIONS = REVIEW_ACTIONS | PROPOSER_ACTIONS
EDITABLE_STATES = frozenset({"draft", "changes_requested"})

TRANSITIONS: dict[tuple[str, str], str] = {
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


class TransitionRefused(Exception):
    """Why an action is refused; ``forbidden`` is a wrong actor (403), otherwise a wrong state (409)."""

    def __init__(self, reason: str, *, forbidden: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.forbidden = forbidden


def transition(state: str, action: str, *, actor_is_proposer: bool, actor_can_moderate: bool,
               ballot_open: bool = False) -> str:
    """The state after ``action``, or :class:`TransitionRefused` with the reason."""
    if action not in ACTIONS:
        raise TransitionRefused(_("Unknown action {action}.").format(action=action))
    if action in REVIEW_ACTIONS:
        if not actor_can_moderate:
            raise TransitionRefused(_("Only a moderator of this neighbourhood can review this proposal."),
                                    forbidden=True)
        if actor_is_proposer:
            raise TransitionRefused(_("You cannot review your own proposal."), forbidden=True)
    elif not actor_is_proposer:
        raise TransitionRefused(_("Only the proposer can do this."), forbidden=True)
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise TransitionRefused(_("A proposal in state {state} cannot be {action}.").format(
            state=state, action=action))
    if action == "withdraw" and ballot_open:
        raise TransitionRefused(_("This proposal is on a ballot that has opened; it can no longer be withdrawn."))
    return target


def allowed_actions(state: str, *, actor_is_proposer: bool, actor_can_moderate: bool,
                    ballot_open: bool = False) -> list[str]:
    """The actions this actor may take now, for showing the right buttons."""
    allowed = []
    for action in sorted(ACTIONS):
        try:
            transition(state, action, actor_is_proposer=actor_is_proposer, actor_can_moderate=actor_can_moderate,
                       ballot_open=ballot_open)
        except TransitionRefused:
            continue
        allowed.append(action)
    return allowed
