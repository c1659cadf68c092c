"""Plain-text descriptions to safe HTML: everything escaped, paragraphs and bare http(s) links only."""

from __future__ import annotations

import re
from html import escape

__all__ = ["render_description"]

URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING = ".,;:!?)]}"


def _link(url: str) -> tuple[str, str]:
    """The anchor for ``url`` and any trailing punctuation that belongs to the sentence."""
    stripped = url.rstrip(TRAILING)
    if "(" in stripped and url[len(stripped):].startswith(")"):
        stripped += ")"  # keep a closing parenthesis that balances one in the URL (Wikipedia links)
    tail = url[len(stripped):]
    safe = escape(stripped, quote=True)
    return f'<a rel="nofollow noopener" href="{safe}">{safe}</a>', escape(tail)


def _line(text: str) -> str:
    out, last = [], 0
    for match in URL.finditer(text):
        out.append(escape(text[last:match.start()]))
        anchor, tail = _link(match.group(0))
        out.extend((anchor, tail))
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def render_description(text: str) -> str:
    """HTML for a description: blank-line-separated paragraphs as ``<p>``, single newlines as ``<br>``."""
    paragraphs = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return "\n".join(
        "<p>" + "<br>\n".join(_line(line) for line in paragraph.strip().split("\n")) + "</p>"
        for paragraph in paragraphs if paragraph.strip()
    )
