"""Render a message (subject, plain text, HTML) in the recipient's language from ``templates/mail/``."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import copy_context
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

import templates
from voting.i18n import LANGUAGES, current_language, gettext, ngettext, use_language
from voting.i18n import gettext as _
from voting.mail.models import MAIL_KINDS
from voting.mail.rules import one_line
from voting.presentation import CityStyle, colon, current_style, format_moment, format_money, use_style

__all__ = ["RenderedMail", "render", "DECISIONS"]

MAIL_TEMPLATES = Path(templates.__file__).resolve().parent / "mail"
DECISIONS = ("accepted", "changes_requested", "rejected")


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    """Text templates (``.txt``) are not escaped; HTML templates are, so a title can never inject markup."""
    env = Environment(loader=FileSystemLoader(MAIL_TEMPLATES), extensions=["jinja2.ext.i18n"],
                      autoescape=select_autoescape(enabled_extensions=("html",), default=False),
                      undefined=StrictUndefined, keep_trailing_newline=True, auto_reload=False)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["language"] = current_language
    env.globals["city"] = current_style
    env.globals["colon"] = colon
    env.filters["moment"] = format_moment
    env.filters["money"] = format_money
    return env


def _subject(kind: str, context: Mapping[str, Any]) -> str:
    title = one_line(str(context.get("title", "")), 200)
    if kind == "confirm_email":
        return _("Confirm your e-mail address")
    if kind == "reset_password":
        return _("Reset your password")
    if kind == "proposal_reviewed":
        decision = context["decision"]
        if decision == "accepted":
            return _("Your proposal “{title}” was accepted").format(title=title)
        if decision == "changes_requested":
            return _("Your proposal “{title}” needs changes").format(title=title)
        return _("Your proposal “{title}” was not accepted").format(title=title)
    if kind == "ballot_opened":
        return _("Voting is open: {title}").format(title=title)
    if kind == "project_update":
        return _("News of the project “{title}”").format(title=title)
    return _("Results published: {title}").format(title=title)


REQUIRED = {"confirm_email": ("name", "link"), "reset_password": ("name", "link"),
            "proposal_reviewed": ("title", "decision", "reason", "link"),
            "ballot_opened": ("title", "link", "closes_at"), "results_published": ("title", "link"),
            "project_update": ("title", "headline", "text", "day", "link")}


def _check(kind: str, context: Mapping[str, Any]) -> None:
    if kind not in MAIL_KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    missing = [key for key in REQUIRED[kind] if key not in context]
    if missing:
        raise ValueError(f"a {kind} mail needs {', '.join(missing)} in its context")
    if kind == "proposal_reviewed" and context.get("decision") not in DECISIONS:
        raise ValueError(f"unknown review decision {context.get('decision')!r}")


def render(kind: str, language: str, context: Mapping[str, Any], style: CityStyle | None = None) -> RenderedMail:
    """The message in ``language`` (the caller's own language and city style are left untouched)."""
    _check(kind, context)
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")

    def work() -> RenderedMail:
        use_language(language)
        if style is not None:
            use_style(style)
        env = _environment()
        values = dict(context)
        subject = one_line(_subject(kind, values))
        text = env.get_template(f"{kind}.txt").render(values, subject=subject)
        html = env.get_template(f"{kind}.html").render(values, subject=subject)
        return RenderedMail(subject, text, html)

    return copy_context().run(work)
