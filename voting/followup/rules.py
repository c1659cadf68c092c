"""Pure rules of the follow-up: which projects a published result funds, what a moderator may change or post,
who may volunteer, and the next work day."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from voting.i18n import gettext as _

__all__ = ["ProjectChange", "MilestoneFields", "funded_in", "check_change", "check_milestone", "MOVES",
           "volunteering_refusal", "next_work_day", "LIMITS", "MAX_SPENT"]

MOVES = {
    "planned": {"planned", "in_progress", "done", "abandoned"},
    "in_progress": {"in_progress", "done", "abandoned"},
    "done": {"done", "in_progress"},
    "abandoned": {"abandoned", "planned", "in_progress"},
}
"""Where a project may go from each state (staying is an update of its progress or spending)."""
LIMITS = {"title": 160, "body": 5000, "reason": 2000}
MAX_SPENT = 10**12


@dataclass(frozen=True)
class ProjectChange:
    status: str
    progress: int
    budget_spent: int
    reason: str = ""


@dataclass(frozen=True)
class MilestoneFields:
    kind: str
    title: str
    body: str
    happens_on: date | None


def funded_in(selected: Iterable[str], projects: Sequence[tuple[int, str | None, int]]) -> list[tuple[int, int]]:
    """``(proposal id, cost)`` of every selected project of a result. ``projects`` are the ballot's
    ``(proposal id, label, cost)``; the tally names them by their labels when every one has a distinct label
    (an imported election), else by their proposal numbers."""
    labels = [label for _, label, _ in projects]
    by_label = all(labels) and len(set(labels)) == len(labels)
    names = {str(label) if by_label else str(pid): (pid, cost) for pid, label, cost in projects}
    return [names[str(name)] for name in selected if str(name) in names]


def check_change(current: str, change: ProjectChange) -> list[str]:
    """Every reason the change is refused (empty: allowed). ``done`` means 100 %; abandoning needs a reason."""
    problems = []
    if change.status not in MOVES:
        return [_("Unknown project status {status}.").format(status=change.status)]
    if change.status not in MOVES.get(current, set()):
        problems.append(_("A project that is {current} cannot become {target}.").format(current=current,
                                                                                        target=change.status))
    if not 0 <= change.progress <= 100:
        problems.append(_("The progress is a whole percentage from 0 to 100."))
    elif change.status == "done" and change.progress != 100:
        problems.append(_("A project that is done is 100% done."))
    if not 0 <= change.budget_spent <= MAX_SPENT:
        problems.append(_("The budget spent must be a positive amount."))
    if change.status == "abandoned" and not change.reason.strip():
        problems.append(_("Say why the project is abandoned."))
    if len(change.reason) > LIMITS["reason"]:
        problems.append(_("The reason is longer than {n} characters.").format(n=LIMITS["reason"]))
    return problems


def check_milestone(fields: MilestoneFields) -> list[str]:
    problems = []
    if fields.kind not in ("milestone", "work_day"):
        problems.append(_("A milestone is a milestone or a work day."))
    if not fields.title.strip():
        problems.append(_("The milestone needs a title."))
    if len(fields.title) > LIMITS["title"]:
        problems.append(_("The title is longer than {n} characters.").format(n=LIMITS["title"]))
    if len(fields.body) > LIMITS["body"]:
        problems.append(_("The text is longer than {n} characters.").format(n=LIMITS["body"]))
    if fields.happens_on is None:
        problems.append(_("The milestone needs a date."))
    return problems


def volunteering_refusal(status: str, *, email_confirmed: bool) -> str | None:
    """Why a resident cannot sign up now, or None: a confirmed address, and a project still being built."""
    if not email_confirmed:
        return _("Confirm your e-mail address first: volunteers get the project's news by e-mail.")
    if status not in ("planned", "in_progress"):
        return _("This project is no longer looking for volunteers.")
    return None


def next_work_day(days: Iterable[tuple[str, date]], today: date) -> date | None:
    """The first work day from today on, among ``(kind, date)`` pairs."""
    coming = sorted(day for kind, day in days if kind == "work_day" and day >= today)
    return coming[0] if coming else None


