"""The accessibility statement (RGAA 4.1 / WCAG 2.1 AA, a legal duty of French public bodies) and what the
automated checks that back it test."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, get
from litestar.response import Template

__all__ = ["AXE_VERSION", "AXE_RULE_TAGS", "CHECKED_WIDTHS", "AutomatedCheck", "AUTOMATED_CHECKS", "STATEMENT_DATE",
           "AccessibilityPages"]

AXE_VERSION = "4.11.0"
"""axe-core as pinned in tests/web/js/package.json."""
AXE_RULE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
"""axe-core's default run: every WCAG 2.0 and 2.1 A and AA rule it has, and its best practices."""
CHECKED_WIDTHS = (390, 1280)
STATEMENT_DATE = "2026-12-02"


@dataclass(frozen=True)
class AutomatedCheck:
    """One browser test behind the statement: what it visits, and what it asserts (its result when it passes)."""

    test: str
    pages: str
    asserts: str


AUTOMATED_CHECKS = (
    AutomatedCheck("tests/web/test_every_page.py", "every page of the app, anonymous and as each role",
                   "no axe-core violation of any impact; no horizontal scroll at 390 px"),
    AutomatedCheck("tests/web/test_browser_vote_screen.py", "the vote screen, its review and the receipt",
                   "no axe-core violation; no horizontal scroll at 390 px; keyboard focus moved to the receipt"),
    AutomatedCheck("tests/web/test_browser_residents.py", "registration, confirmation, residence and voting",
                   "no axe-core violation of any impact"),
)


class AccessibilityPages(Controller):
    include_in_schema = False

    @get("/accessibility", name="accessibility")
    async def statement(self) -> Template:
        return Template("accessibility.html", context={
            "axe_version": AXE_VERSION, "tags": AXE_RULE_TAGS, "widths": CHECKED_WIDTHS, "checks": AUTOMATED_CHECKS,
            "statement_date": STATEMENT_DATE})
