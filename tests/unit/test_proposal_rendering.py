"""Descriptions render as escaped paragraphs with safe links, whatever the proposer typed."""

from __future__ import annotations

import pytest

from voting.proposals.rendering import render_description


def test_paragraphs_and_line_breaks():
    assert render_description("One\nline two\n\n\nTwo") == "<p>One<br>\nline two</p>\n<p>Two</p>"
    assert render_description("  \n\n  ") == ""
    assert render_description("a\r\n\r\nb") == "<p>a</p>\n<p>b</p>"


def test_links_get_nofollow_noopener_and_keep_sentence_punctuation_outside():
    html = render_description("See https://example.org/a?x=1&y=2. Or (http://ex.org/b).")
    assert '<a rel="nofollow noopener" href="https://example.org/a?x=1&amp;y=2">' in html
    assert "</a>. Or (" in html
    assert 'href="http://ex.org/b">http://ex.org/b</a>).' in html


def test_balanced_parenthesis_stays_in_the_link():
    html = render_description("https://fr.wikipedia.org/wiki/Jardin_(botanique)")
    assert 'href="https://fr.wikipedia.org/wiki/Jardin_(botanique)"' in html


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<a href='javascript:alert(1)'>x</a>",
    'https://example.org/"><script>alert(1)</script>',
    "javascript:alert(1)",
    "<b>bold</b> & <i>co</i>",
])
def test_markup_and_script_payloads_are_escaped(payload):
    html = render_description(payload)
    assert "<script" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert 'href="javascript' not in html
    assert "onerror=\"" not in html


def test_only_http_and_https_become_links():
    assert "<a" not in render_description("ftp://example.org data:text/html,x javascript:alert(1)")
    assert render_description("<script>").startswith("<p>&lt;script&gt;")
