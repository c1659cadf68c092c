"""Screenshots of pages at a phone's and a desktop's width, for docs/: ``python -m tests.web.screenshots``.

Point it at a running demo city (``greenballot demo``) and name the pages as ``NAME=PATH`` or ``NAME=PATH@ROLE`` (a
demo account's role logs in first); without names it takes the default set. Each page gives
``OUT/NAME-phone.png`` (390x844) and ``OUT/NAME-desktop.png`` (1280x800), whole-page; a page that answers an
error is skipped with a line on standard error. Debian's Chromium, as the browser tests use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["DEFAULT_PAGES", "SIZES", "take_screenshots", "main"]

SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
DEFAULT_PAGES = ("home=/", "proposals=/proposals", "ballot=/ballots/1", "vote=/ballots/1/vote@citizen",
                 "results=/ballots/2/results", "map=/map", "building=/building", "funded-project=/building/1")
"""The demo city's open ballot is #1 and its published one #2; the map and funded-project pages are added by
issue 12 (a page that does not exist yet is skipped)."""


def _parse(spec: str) -> tuple[str, str, str | None]:
    name, _, rest = spec.partition("=")
    path, _, role = rest.partition("@")
    if not name or not path.startswith("/"):
        raise SystemExit(f"not NAME=PATH[@ROLE]: {spec}")
    return name, path, role or None


def _shrink(path: Path) -> None:
    """256 colours are plenty for a page: the PNG gets about three times smaller (kept as is without Pillow)."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256)
    small.save(path, optimize=True)


def take_screenshots(base_url: str, specs: list[str], out: Path, chromium: str) -> list[Path]:
    """Save each page at both sizes; return the files written."""
    from playwright.sync_api import sync_playwright

    from tests.web.conftest import CHROMIUM_ARGS, login
    from voting.demo import DEMO_ACCOUNTS

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        contexts: dict[str | None, object] = {}
        for name, path, role in map(_parse, specs):
            if role not in contexts:
                context = browser.new_context(base_url=base_url, locale="fr-FR")
                tab = context.new_page()
                if role is not None:
                    account = next(account for account in DEMO_ACCOUNTS if account.role == role)
                    login(tab, account.email, account.password)
                contexts[role] = tab
            tab = contexts[role]
            for size, (width, height) in SIZES.items():
                tab.set_viewport_size({"width": width, "height": height})  # type: ignore[attr-defined]
                answer = tab.goto(path, wait_until="networkidle")  # type: ignore[attr-defined]
                if answer is None or answer.status >= 400:
                    print(f"skipped {name} ({path}): {answer.status if answer else 'no answer'}", file=sys.stderr)
                    break
                target = out / f"{name}-{size}.png"
                tab.screenshot(path=str(target), full_page=True)  # type: ignore[attr-defined]
                _shrink(target)
                written.append(target)
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("pages", nargs="*", help="NAME=PATH or NAME=PATH@ROLE (default: the docs' set)")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    for path in take_screenshots(args.base_url, list(args.pages or DEFAULT_PAGES), args.out, args.chromium):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
