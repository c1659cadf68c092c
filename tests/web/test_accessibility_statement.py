"""The accessibility statement: in French and English, linked from every page's footer, after a skip link."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_statement_in_both_languages_and_linked_from_the_footer(client):
    french = await client.get("/accessibility", headers={"accept-language": "fr"})
    assert french.status_code == 200
    assert "Déclaration d'accessibilité" in french.text and "Partiellement conforme" in french.text
    assert "axe-core 4.11.0" in french.text and "RGAA 4.1" in french.text and "390 et 1280" in french.text
    english = await client.get("/accessibility", headers={"accept-language": "en"})
    assert "Accessibility statement" in english.text and "WCAG 2.1 level AA" in english.text
    assert "tests/web/test_browser_vote_screen.py" in english.text
    home = await client.get("/", headers={"accept-language": "en"})
    body = home.text.split("<body>", 1)[1]
    assert body.lstrip().startswith('<a class="skip-link" href="#main">Skip to content</a>')
    assert 'id="main"' in body and '<footer class="site-footer"><a href="/accessibility">' in body
