"""Every message renders in French and English, text and HTML, with every sentence translated."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from voting.i18n import translations
from voting.mail.models import MAIL_KINDS
from voting.mail.rendering import DECISIONS, render
from voting.presentation import CityStyle

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail"
OPTIONS = {"extensions": "jinja2.ext.i18n"}
WHEN = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
CONTEXTS = {
    "confirm_email": {"name": "Camille", "link": "https://v.example/account/confirm?token=abc"},
    "reset_password": {"name": "Camille", "link": "https://v.example/password-reset/new?token=abc"},
    "proposal_reviewed": {"name": "Camille", "title": "Jardin", "decision": "accepted", "reason": "Bravo.",
                          "link": "https://v.example/proposals/3"},
    "ballot_opened": {"title": "Budget 2027", "link": "https://v.example/ballots/2", "opens_at": WHEN,
                      "closes_at": WHEN.replace(month=4)},
    "results_published": {"title": "Budget 2027", "link": "https://v.example/ballots/2/results"},
    "project_update": {"title": "Verger", "headline": "Work day", "text": "Bring gloves.", "day": "3 mars 2027",
                       "link": "https://v.example/building/4"},
}


def template_messages() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(TEMPLATES, [("**.txt", "jinja2"), ("**.html", "jinja2")],
                                                {"**.txt": OPTIONS, "**.html": OPTIONS}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_sentence_of_the_text_and_html_mails_has_a_french_translation():
    french = translations("fr")
    untranslated = sorted(m for m in template_messages() if french.gettext(m) == m and m not in ("HTML",
                                                                                               "Message-ID"))
    assert not untranslated


@pytest.mark.parametrize("kind", MAIL_KINDS)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_kind_renders_with_its_link_in_both_bodies(kind, language):
    mail = render(kind, language, CONTEXTS[kind], CityStyle("Testville"))
    link = CONTEXTS[kind]["link"]
    assert mail.subject and "\n" not in mail.subject
    assert link in mail.text and f'href="{link}"' in mail.html
    assert f'<html lang="{language}">' in mail.html
    assert "Testville" in mail.text and "Testville" in mail.html


@pytest.mark.parametrize("decision", DECISIONS)
def test_each_decision_has_its_own_words(decision):
    texts = {d: render("proposal_reviewed", "fr", {**CONTEXTS["proposal_reviewed"], "decision": d}).text
             for d in DECISIONS}
    assert sum(texts[decision] == other for other in texts.values()) == 1


def test_the_ballot_dates_are_written_for_the_reader():
    french = render("ballot_opened", "fr", CONTEXTS["ballot_opened"], CityStyle(time_zone="Europe/Paris"))
    english = render("ballot_opened", "en", CONTEXTS["ballot_opened"], CityStyle(time_zone="Europe/Paris"))
    assert "du 1 mars 2027, 09:00 (Europe/Paris) au 1 avr. 2027, 10:00 (Europe/Paris)" in french.text
    assert "from 1 Mar 2027, 09:00 (Europe/Paris) until 1 Apr 2027, 10:00 (Europe/Paris)" in english.text


def test_rendering_leaves_the_callers_language_alone():
    from voting.i18n import current_language, use_language

    use_language("en")
    render("confirm_email", "fr", CONTEXTS["confirm_email"])
    assert current_language() == "en"
