"""Every user-facing string has a French translation; language negotiation picks what the user asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from voting.i18n import LOCALE_DIR, choose_language, gettext, translations, use_language

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("**/tally/**.py", "ignore"), ("**.py", "python"), ("**.html", "jinja2")]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n"}}


def source_messages() -> set[str]:
    found: set[str] = set()
    for folder in ("voting", "auth", "ballots", "templates"):
        for _, _, message, _, _ in extract_from_dir(ROOT / folder, METHODS, OPTIONS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def french_catalog() -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in (LOCALE_DIR / "fr" / "LC_MESSAGES").glob("*.po"):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="fr"):
                if message.id and message.string:
                    merged[message.id if isinstance(message.id, str) else message.id[0]] = (
                        message.string if isinstance(message.string, str) else message.string[0]
                    )
    return merged


def test_every_message_has_a_french_translation():
    missing = sorted(source_messages() - set(french_catalog()))
    assert not missing, "add these to a voting/locale/fr/LC_MESSAGES/*.po file:\n" + "\n".join(missing)


def test_french_placeholders_match_english():
    import re

    for english, french in french_catalog().items():
        assert set(re.findall(r"\{\w+\}", english)) == set(re.findall(r"\{\w+\}", french)), english


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, "en-GB,en;q=0.9", "en"),
        (None, "fr-FR,fr;q=0.9,en;q=0.5", "fr"),
        (None, "de-DE,en;q=0.8,fr;q=0.9", "fr"),
        (None, "de-DE", "fr"),
        (None, None, "fr"),
        ("en", "fr", "en"),
        ("xx", "en", "en"),
        (None, "en;q=0, fr;q=0.1", "fr"),
    ],
)
def test_choose_language(cookie, header, expected):
    assert choose_language(cookie, header) == expected


def test_gettext_follows_the_current_language():
    use_language("fr")
    assert gettext("Log in") == "Se connecter"
    use_language("en")
    assert gettext("Log in") == "Log in"
    assert translations("fr") is translations("fr")


def test_template_messages_have_no_percent_sign():
    """Jinja's new-style gettext %-formats every message: a literal % in a template msgid breaks the page."""
    import re

    templates = set()
    for _, _, message, _, _ in extract_from_dir(ROOT / "templates", [("**.html", "jinja2")], OPTIONS):
        templates.add(message if isinstance(message, str) else message[0])
    offending = sorted(m for m in templates if re.search(r"%(?!\()", m))
    assert not offending, offending
